import type { Exposition } from './exposition';
import { labelPairs, targetLabel } from './text-format';

export interface Sample {
  labels: Record<string, string | undefined>;
  value: number;
}

/**
 * A gauge (or a counter kept elsewhere) whose samples are computed at scrape time and written out as they are: no label
 * hashing, no stored series (a prom-client Gauge reset and refilled on every scrape cost
 * milliseconds per thousand targets).
 */
export function addComputedGauge(
  exposition: Exposition,
  name: string,
  help: string,
  samples: () => readonly Sample[],
  type: 'gauge' | 'counter' = 'gauge',
): void {
  exposition.add({
    name,
    help,
    type,
    write(out) {
      for (const { labels, value } of samples()) {
        const pairs = labelPairs(labels);
        out.text(pairs === '' ? `${name} ` : `${name}{${pairs}} `);
        out.value(value);
        out.newline();
      }
    },
  });
}

/** Anything that belongs to one target (a target's status). */
export interface OfTarget {
  readonly target: { readonly name: string };
}

/**
 * A gauge with one series per target, computed at scrape time. `read` returning undefined
 * leaves that target without a series (the fact does not exist).
 */
export function addTargetGauge<Item extends OfTarget>(
  exposition: Exposition,
  items: () => readonly Item[],
  name: string,
  help: string,
  read: (item: Item) => number | undefined,
): void {
  const before = Buffer.from(`${name}{`);
  const after = Buffer.from('} ');
  exposition.add({
    name,
    help,
    type: 'gauge',
    write(out) {
      for (const item of items()) {
        const value = read(item);
        if (value !== undefined) out.sample(before, targetLabel(item.target), after, value);
      }
    },
  });
}
