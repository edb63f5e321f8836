import type { Registry } from 'prom-client';
import type { TextWriter } from './text-writer';

/** Prometheus text 0.0.4, or OpenMetrics 1.0 (what Prometheus asks for by default). */
export type TextFormat = 'prometheus' | 'openmetrics';

export type FamilyType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric family that writes its own sample lines. Per-target metrics have thousands of
 * series; writing them straight from their stored numbers, with label text built once, is what
 * keeps /metrics fast at 1000 targets.
 */
export interface Family {
  name: string;
  help: string;
  type: FamilyType;
  /** Writes the sample lines, each ending in a newline. */
  write(out: TextWriter): void;
}

/** One metric of a prom-client registry, as `getMetricsAsJSON()` gives it. */
type RegistryMetric = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];

/** What an exposition renders: families of its own, and prom-client registries read as JSON. */
export type Source = { family: Family } | { registry: Registry };

/**
 * Writes every source in the given format: the same bytes prom-client writes for its own
 * registries (tested against it), with families writing their own lines. Unlike prom-client's
 * OpenMetrics output it never renames the live metrics. One part per family, so that the
 * caller may yield between them.
 */
export async function writeSources(
  sources: readonly Source[],
  format: TextFormat,
): Promise<Array<(out: TextWriter) => void>> {
  // prom-client's metrics may collect asynchronously: read them all first, then write.
  const read = await Promise.all(
    sources.map((source) =>
      'registry' in source ? source.registry.getMetricsAsJSON() : Promise.resolve([source.family]),
    ),
  );
  const openMetrics = format === 'openmetrics';
  const parts = read.flat().map((family, index) => (out: TextWriter) => {
    if (index > 0 && !openMetrics) out.newline();
    const counter = openMetrics && family.type === 'counter';
    // OpenMetrics names a counter family without its _total; the samples keep it.
    const name = escape(counter ? family.name.replace(/_total$/, '') : family.name);
    out.text(`# HELP ${name} ${escape(family.help)}\n# TYPE ${name} ${family.type}\n`);
    if ('write' in family) family.write(out);
    else writeSamples(out, family, counter ? `${name}_total` : name);
  });
  if (openMetrics) parts.push((out) => out.text('# EOF\n'));
  return parts;
}

/** prom-client's samples of one metric. */
function writeSamples(out: TextWriter, metric: RegistryMetric, defaultName: string): void {
  for (const sample of metric.values) {
    const labels = labelPairs(sample.labels);
    const name = (sample as { metricName?: string }).metricName ?? defaultName;
    out.text(`${name}${labels === '' ? '' : `{${labels}}`} `);
    out.value(sample.value);
    out.newline();
  }
}

/** `a="x",b="y"`: label pairs in the text format, values escaped where needed. */
export function labelPairs(labels: Record<string, string | number | undefined>): string {
  let text = '';
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${key}="${escapeLabel(value)}"`;
  }
  return text;
}

/** A target's `target="NAME"`, encoded once per target object and shared by every family. */
const targetLabels = new WeakMap<object, Buffer>();

export function targetLabel(target: { readonly name: string }): Buffer {
  let label = targetLabels.get(target);
  if (label === undefined) {
    label = Buffer.from(labelPairs({ target: target.name }), 'utf8');
    targetLabels.set(target, label);
  }
  return label;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(value: string | number): string | number {
  if (typeof value !== 'string' || !NEEDS_ESCAPE.test(value)) return value;
  return escape(value).replace(/"/g, '\\"');
}
