import { Gauge, type Registry } from 'prom-client';
import type { TargetStatus } from '../monitor/target-status';

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
): Gauge {
  return new Gauge({
    name,
    help,
    labelNames: ['target'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) {
        const value = read(status);
        if (value !== undefined) this.set({ target: status.target.name }, value);
      }
    },
  });
}
