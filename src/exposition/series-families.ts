import type { Exposition } from './exposition';
import { labelPairs, targetLabel } from './text-format';

/** Series that belong to targets: created (at zero) for a new target, deleted with it. */
interface PerTarget {
  add(target: { readonly name: string }): void;
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
 * transitions): a plain array of numbers per target, written out between the family's encoded
 * label text and the target's.
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
  const before = Buffer.from(`${name}{`);
  const afters = series.map((labels) =>
    Buffer.from(`,${labelPairs(labels as Record<string, string>)}} `),
  );
  const counts = new Map<string, { label: Buffer; values: Float64Array }>();

  exposition.add({
    name,
    help,
    type: 'counter',
    write(out) {
      for (const { label, values } of counts.values()) {
        for (let i = 0; i < values.length; i += 1) {
          out.sample(before, label, afters[i]!, values[i]!);
        }
      }
    },
  });

  return {
    add(target) {
      if (counts.has(target.name)) return;
      counts.set(target.name, {
        label: targetLabel(target),
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
  const befores = [
    ...bounds.map((le) => Buffer.from(`${name}_bucket{le="${le}",`)),
    Buffer.from(`${name}_sum{`),
    Buffer.from(`${name}_count{`),
  ];
  const after = Buffer.from('} ');
  const entries = new Map<string, { label: Buffer; counts: Float64Array; sum: number }>();

  exposition.add({
    name,
    help,
    type: 'histogram',
    write(out) {
      for (const { label, counts, sum } of entries.values()) {
        let total = 0;
        for (let i = 0; i < counts.length; i += 1) {
          total += counts[i]!;
          out.sample(befores[i]!, label, after, total);
        }
        out.sample(befores[counts.length]!, label, after, sum);
        out.sample(befores[counts.length + 1]!, label, after, total);
      }
    },
  });

  return {
    add(target) {
      if (entries.has(target.name)) return;
      entries.set(target.name, {
        label: targetLabel(target),
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
