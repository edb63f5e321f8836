import type { Registry } from 'prom-client';

/**
 * The Prometheus text format (0.0.4) of a registry, the same bytes as `registry.metrics()` but
 * several times faster for thousands of series: label strings are escaped only when they need
 * it and a histogram's shared labels are formatted once per series.
 */
export async function renderPrometheusText(registry: Registry): Promise<string> {
  const parts = await Promise.all(registry.getMetricsAsArray().map(renderMetric));
  return `${parts.join('\n\n')}\n`;
}

interface Sample {
  metricName?: string;
  labels?: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  value: number;
}
interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: Sample[];
}

/** prom-client's own metrics; a histogram offers a cheaper form with labels shared per series. */
interface Source {
  get(): Promise<MetricData> | MetricData;
  getForPromString?(): Promise<MetricData> | MetricData;
}

async function renderMetric(metric: unknown): Promise<string> {
  const source = metric as Source;
  const data =
    typeof source.getForPromString === 'function'
      ? await source.getForPromString()
      : await source.get();
  const name = escape(data.name);
  const lines = [`# HELP ${name} ${escape(data.help)}`, `# TYPE ${name} ${data.type}`];
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
        flat = '';
        for (const key in shared) {
          flat += `${flat === '' ? '' : ','}${key}="${escapeLabel(shared[key]!)}"`;
        }
        sharedCache.set(shared, flat);
      }
      if (flat !== '') labels += `${labels === '' ? '' : ','}${flat}`;
    }
    const braces = labels === '' ? '' : `{${labels}}`;
    lines.push(`${sample.metricName ?? name}${braces} ${valueText(sample.value)}`);
  }
  return lines.join('\n');
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(value: string | number): string | number {
  if (typeof value !== 'string' || !NEEDS_ESCAPE.test(value)) return value;
  return escape(value).replace(/"/g, '\\"');
}

/** As prom-client writes values (its "Nan" spelling included, so the output stays the same). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
