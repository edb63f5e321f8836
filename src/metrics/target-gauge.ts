import type { Metric, Registry } from 'prom-client';
import type { TargetStatus } from '../monitor/target-status';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A gauge whose samples are computed at scrape time and handed to the registry as they are:
 * no label hashing, no stored series (a prom-client Gauge reset and refilled on every scrape
 * cost milliseconds per thousand targets).
 */
export function createComputedGauge(
  registry: Registry,
  name: string,
  help: string,
  samples: () => Sample[],
): void {
  const metric = {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    get: () => ({ name, help, type: 'gauge', aggregator: 'sum', values: samples() }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Metric);
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
  createComputedGauge(registry, name, help, () => {
    const samples: Sample[] = [];
    for (const status of statuses()) {
      const value = read(status);
      if (value !== undefined) samples.push({ labels: { target: status.target.name }, value });
    }
    return samples;
  });
}
