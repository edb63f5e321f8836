import type { Metric, Registry } from 'prom-client';

/** Prometheus text 0.0.4, or OpenMetrics 1.0 (what Prometheus asks for by default). */
export type TextFormat = 'prometheus' | 'openmetrics';

/**
 * A metric that writes its own sample lines. Per-target metrics have thousands of series; writing
 * them straight from their stored numbers, with label text built once, is what keeps /metrics
 * fast at 1000 targets. `get()` still returns prom-client's JSON form of the same samples.
 */
export interface SelfRenderingMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  get(): MetricData;
  /** The sample lines, each ending in a newline ('' when there are none). */
  samplesText(): string;
}

export interface Sample {
  metricName?: string;
  labels?: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  value: number;
}

export interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: Sample[];
  aggregator?: string;
}

/** Adds a self-rendering metric to a prom-client registry (which only needs its name and get()). */
export function registerSelfRendering(registry: Registry, metric: SelfRenderingMetric): void {
  registry.registerMetric({
    ...metric,
    aggregator: 'sum',
    reset: () => undefined,
  } as unknown as Metric);
}

/**
 * A registry in either text format, the same bytes prom-client writes (tested against it) but
 * several times faster for thousands of series: labels are escaped only when they need it, a
 * histogram's shared labels are formatted once per series, and self-rendering metrics write
 * their own lines. Unlike prom-client's OpenMetrics output it never renames the live metrics.
 */
export async function renderText(registry: Registry, format: TextFormat): Promise<string> {
  const openMetrics = format === 'openmetrics';
  const parts = await Promise.all(
    registry.getMetricsAsArray().map((metric) => renderMetric(metric, openMetrics)),
  );
  return openMetrics ? `${parts.join('')}# EOF\n` : parts.join('\n');
}

/** prom-client's own metrics; a histogram offers a cheaper form with labels shared per series. */
interface Source {
  name: string;
  type: string;
  get(): Promise<MetricData> | MetricData;
  getForPromString?(): Promise<MetricData> | MetricData;
  samplesText?(): string;
}

/** One metric family: its HELP and TYPE lines and its samples, each line ending in a newline. */
async function renderMetric(metric: unknown, openMetrics: boolean): Promise<string> {
  const source = metric as Source;
  // OpenMetrics names a counter family without its _total; the samples keep it.
  const counter = openMetrics && source.type === 'counter';
  const family = counter ? source.name.replace(/_total$/, '') : source.name;
  if (typeof source.samplesText === 'function') {
    const self = source as SelfRenderingMetric;
    return `${header(escape(family), self.help, self.type)}\n${self.samplesText()}`;
  }
  const data =
    typeof source.getForPromString === 'function'
      ? await source.getForPromString()
      : await source.get();
  const name = escape(counter ? family : data.name);
  const lines = [header(name, data.help, data.type)];
  const sharedCache = new Map<object, string>();
  for (const sample of data.values ?? []) {
    const shared = sample.sharedLabels;
    let labels = '';
    for (const key in sample.labels) {
      if (shared !== undefined && Object.prototype.hasOwnProperty.call(shared, key)) continue;
      labels += `${labels === '' ? '' : ','}${key}="${escapeLabel(sample.labels[key]!)}"`;
    }
    if (shared !== undefined) {
      let flat = sharedCache.get(shared);
      if (flat === undefined) {
        flat = labelPairs(shared);
        sharedCache.set(shared, flat);
      }
      if (flat !== '') labels += `${labels === '' ? '' : ','}${flat}`;
    }
    const braces = labels === '' ? '' : `{${labels}}`;
    const sampleName = sample.metricName ?? (counter ? `${name}_total` : name);
    lines.push(`${sampleName}${braces} ${valueText(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The HELP and TYPE lines; `name` comes escaped. */
function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escape(help)}\n# TYPE ${name} ${type}`;
}

/** `a="x",b="y"`: label pairs in the text format, values escaped where needed. */
export function labelPairs(labels: Record<string, string | number>): string {
  let text = '';
  for (const key in labels) {
    text += `${text === '' ? '' : ','}${key}="${escapeLabel(labels[key]!)}"`;
  }
  return text;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabel(value: string | number): string | number {
  if (typeof value !== 'string' || !NEEDS_ESCAPE.test(value)) return value;
  return escape(value).replace(/"/g, '\\"');
}

/** As prom-client writes values (its "Nan" spelling included, so the output stays the same). */
export function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
