import type { Registry } from 'prom-client';
import type { TargetStatus } from '../monitor/target-status';
import { escapeLabel, labelPairs, registerSelfRendering, valueText } from './text-format';

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
    samplesText: () => {
      const lines: string[] = [];
      for (const { labels, value } of samples()) {
        lines.push(`${name}{${labelPairs(labels)}} ${valueText(value)}`);
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
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
  const each = (write: (target: string, value: number) => void) => {
    for (const status of statuses()) {
      const value = read(status);
      if (value !== undefined) write(status.target.name, value);
    }
  };
  registerSelfRendering(registry, {
    name,
    help,
    type: 'gauge',
    get: () => {
      const values: Sample[] = [];
      each((target, value) => values.push({ labels: { target }, value }));
      return { name, help, type: 'gauge', values };
    },
    samplesText: () => {
      const lines: string[] = [];
      each((target, value) => {
        lines.push(`${name}{target="${escapeLabel(target)}"} ${valueText(value)}`);
      });
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  });
}
