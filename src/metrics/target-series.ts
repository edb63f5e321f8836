import type { Registry } from 'prom-client';
import {
  escapeLabel,
  labelPairs,
  registerSelfRendering,
  valueText,
  type Sample,
} from './text-format';

/** Series that belong to targets: created (at zero) for a new target, deleted with it. */
interface PerTarget {
  add(target: string): void;
  remove(target: string): void;
}

export interface TargetCounter<Labels extends Record<keyof Labels, string>> extends PerTarget {
  inc(target: string, labels: Labels): void;
}

export interface TargetHistogram extends PerTarget {
  observe(target: string, value: number): void;
}

/** The `target="NAME"` text of a target, escaped once. */
const targetPair = (target: string) => `target="${escapeLabel(target)}"`;

/**
 * A counter with one series per target and label set in `series` (the probe results, the breaker
 * transitions): a plain array of numbers per target, written out without label hashing.
 */
export function createTargetCounter<Labels extends Record<keyof Labels, string>>(
  registry: Registry,
  name: string,
  help: string,
  series: readonly Labels[],
): TargetCounter<Labels> {
  const labelNames = Object.keys(series[0] ?? {}) as Array<keyof Labels>;
  const key = (labels: Labels) => labelNames.map((label) => labels[label]).join('\0');
  const index = new Map(series.map((labels, i) => [key(labels), i]));
  const suffixes = series.map((labels) => `,${labelPairs(labels as Record<string, string>)}} `);
  // Each series' line up to its value, built once per target.
  const counts = new Map<string, { prefixes: string[]; values: Float64Array }>();

  registerSelfRendering(registry, {
    name,
    help,
    type: 'counter',
    get: () => {
      const values: Sample[] = [];
      for (const [target, entry] of counts) {
        series.forEach((labels, i) =>
          values.push({ labels: { target, ...labels }, value: entry.values[i]! }),
        );
      }
      return { name, help, type: 'counter', values };
    },
    samplesText: () => {
      const lines: string[] = [];
      for (const { prefixes, values } of counts.values()) {
        for (let i = 0; i < prefixes.length; i += 1)
          lines.push(prefixes[i]! + valueText(values[i]!));
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  });

  return {
    add(target) {
      if (counts.has(target)) return;
      const pair = targetPair(target);
      counts.set(target, {
        prefixes: suffixes.map((suffix) => `${name}{${pair}${suffix}`),
        values: new Float64Array(series.length),
      });
    },
    remove: (target) => void counts.delete(target),
    inc(target, labels) {
      const entry = counts.get(target);
      const i = index.get(key(labels));
      if (entry === undefined || i === undefined) return;
      entry.values[i]! += 1;
    },
  };
}

/**
 * A histogram with one series per target, kept as bucket counts per target and written out
 * in prom-client's layout (`le` first, cumulative buckets, then _sum and _count).
 */
export function createTargetHistogram(
  registry: Registry,
  name: string,
  help: string,
  buckets: readonly number[],
): TargetHistogram {
  const bounds = [...buckets.map(String), '+Inf'];
  const bucketPrefixes = bounds.map((le) => `${name}_bucket{le="${le}",`);
  // Each line up to its value (the buckets', then _sum's and _count's), built once per target.
  const entries = new Map<string, { prefixes: string[]; counts: Float64Array; sum: number }>();

  const cumulative = (counts: Float64Array) => {
    let total = 0;
    return Array.from(counts, (count) => (total += count));
  };

  registerSelfRendering(registry, {
    name,
    help,
    type: 'histogram',
    get: () => {
      const values: Sample[] = [];
      for (const [target, entry] of entries) {
        const totals = cumulative(entry.counts);
        totals.forEach((value, i) =>
          values.push({ metricName: `${name}_bucket`, labels: { le: bounds[i]!, target }, value }),
        );
        values.push({ metricName: `${name}_sum`, labels: { target }, value: entry.sum });
        values.push({ metricName: `${name}_count`, labels: { target }, value: totals.at(-1)! });
      }
      return { name, help, type: 'histogram', values };
    },
    samplesText: () => {
      const lines: string[] = [];
      for (const { prefixes, counts, sum } of entries.values()) {
        let total = 0;
        for (let i = 0; i < counts.length; i += 1) {
          total += counts[i]!;
          lines.push(prefixes[i]! + total);
        }
        lines.push(prefixes[counts.length]! + valueText(sum), prefixes[counts.length + 1]! + total);
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  });

  return {
    add(target) {
      if (entries.has(target)) return;
      const pair = targetPair(target);
      entries.set(target, {
        prefixes: [
          ...bucketPrefixes.map((prefix) => `${prefix}${pair}} `),
          `${name}_sum{${pair}} `,
          `${name}_count{${pair}} `,
        ],
        counts: new Float64Array(bounds.length),
        sum: 0,
      });
    },
    remove: (target) => void entries.delete(target),
    observe(target, value) {
      const entry = entries.get(target);
      if (entry === undefined) return;
      const bucket = buckets.findIndex((bound) => value <= bound);
      entry.counts[bucket === -1 ? buckets.length : bucket]! += 1;
      entry.sum += value;
    },
  };
}
