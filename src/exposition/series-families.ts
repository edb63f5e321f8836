import type { Exposition } from './exposition';
import { labelPairs } from './text-format';
import { encodeLines, type EncodedLines } from './text-writer';

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

/**
 * A counter with one series per target and label set in `series` (the probe results, the breaker
 * transitions): a plain array of numbers per target, written out next to each series' line
 * start, encoded once when the target is added.
 */
export function addTargetCounter<Labels extends Record<keyof Labels, string>>(
  exposition: Exposition,
  name: string,
  help: string,
  series: readonly Labels[],
): TargetCounter<Labels> {
  const labelNames = Object.keys(series[0] ?? {}) as Array<keyof Labels>;
  const key = (labels: Labels) => labelNames.map((label) => labels[label]).join('\0');
  const index = new Map(series.map((labels, i) => [key(labels), i]));
  const suffixes = series.map((labels) => `,${labelPairs(labels as Record<string, string>)}} `);
  const counts = new Map<string, { lines: EncodedLines; values: Float64Array }>();

  exposition.add({
    name,
    help,
    type: 'counter',
    write(out) {
      for (const { lines, values } of counts.values()) {
        for (let i = 0; i < values.length; i += 1) out.sample(lines, i, values[i]!);
      }
    },
  });

  return {
    add(target) {
      if (counts.has(target)) return;
      const start = `${name}{${labelPairs({ target })}`;
      counts.set(target, {
        lines: encodeLines(suffixes.map((suffix) => start + suffix)),
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
export function addTargetHistogram(
  exposition: Exposition,
  name: string,
  help: string,
  buckets: readonly number[],
): TargetHistogram {
  const bounds = [...buckets.map(String), '+Inf'];
  const entries = new Map<string, { lines: EncodedLines; counts: Float64Array; sum: number }>();

  exposition.add({
    name,
    help,
    type: 'histogram',
    write(out) {
      for (const { lines, counts, sum } of entries.values()) {
        let total = 0;
        for (let i = 0; i < counts.length; i += 1) {
          total += counts[i]!;
          out.sample(lines, i, total);
        }
        out.sample(lines, counts.length, sum);
        out.sample(lines, counts.length + 1, total);
      }
    },
  });

  return {
    add(target) {
      if (entries.has(target)) return;
      const pair = labelPairs({ target });
      entries.set(target, {
        lines: encodeLines([
          ...bounds.map((le) => `${name}_bucket{le="${le}",${pair}} `),
          `${name}_sum{${pair}} `,
          `${name}_count{${pair}} `,
        ]),
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
