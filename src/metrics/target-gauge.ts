import type { Registry } from 'prom-client';
import type { Target } from '../config/types';
import type { TargetStatus } from '../monitor/target-status';
import { labelPairs, registerSelfRendering } from './text-format';
import { encodeLines, type EncodedLines } from './text-writer';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A gauge whose samples are computed at scrape time and written out as they are: no label
 * hashing, no stored series (a prom-client Gauge reset and refilled on every scrape cost
 * milliseconds per thousand targets).
 */
export function createComputedGauge(
  registry: Registry,
  name: string,
  help: string,
  samples: () => Sample[],
): void {
  registerSelfRendering(registry, {
    name,
    help,
    type: 'gauge',
    get: () => ({ name, help, type: 'gauge', values: samples() }),
    writeSamples(out) {
      for (const { labels, value } of samples()) {
        out.text(`${name}{${labelPairs(labels)}} `);
        out.value(value);
        out.newline();
      }
    },
  });
}

/**
 * A gauge with one series per target, computed at scrape time from the targets' statuses.
 * `read` returning undefined leaves that target without a series (the fact does not exist).
 */
export function createTargetGauge(
  registry: Registry,
  statuses: () => readonly TargetStatus[],
  name: string,
  help: string,
  read: (status: TargetStatus) => number | undefined,
): void {
  // Each target's `NAME{target="..."} `, encoded once per target object (a reload makes new ones).
  const starts = new WeakMap<Target, EncodedLines>();
  const start = (target: Target) => {
    let lines = starts.get(target);
    if (lines === undefined) {
      lines = encodeLines([`${name}{${labelPairs({ target: target.name })}} `]);
      starts.set(target, lines);
    }
    return lines;
  };
  registerSelfRendering(registry, {
    name,
    help,
    type: 'gauge',
    get: () => {
      const values: Sample[] = [];
      for (const status of statuses()) {
        const value = read(status);
        if (value !== undefined) values.push({ labels: { target: status.target.name }, value });
      }
      return { name, help, type: 'gauge', values };
    },
    writeSamples(out) {
      for (const status of statuses()) {
        const value = read(status);
        if (value === undefined) continue;
        out.sample(start(status.target), 0, value);
      }
    },
  });
}
