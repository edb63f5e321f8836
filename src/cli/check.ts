import { shardOf } from '../config/shard';
import type { Config } from '../config/types';
import { createProber } from '../probe/prober';
import type { ProbeReport } from '../probe/report';

export interface CheckRow {
  name: string;
  /** Where the probe went: for a sentinel target, where the master was found. */
  address: string;
  required: boolean;
  /** With more than one shard: the shard that probes this target. */
  shard?: number;
  report: ProbeReport;
}

/**
 * Probes every target once, concurrently, and closes the connections. All targets, whatever
 * the shard: `check` is for people, and says which shard holds each.
 */
export async function checkTargets(config: Config): Promise<CheckRow[]> {
  const { total } = config.sharding;
  return Promise.all(
    config.targets.map(async (target) => {
      const prober = createProber(target);
      const report = await prober.probe();
      await prober.close();
      const address = report.address ?? target.address;
      const row: CheckRow = { name: target.name, address, required: target.required, report };
      if (total > 1) row.shard = shardOf(target.name, total);
      return row;
    }),
  );
}

/** Whether every required target answered. */
export function allRequiredUp(rows: readonly CheckRow[]): boolean {
  return rows.every((row) => row.report.result.ok || !row.required);
}

/** One line that says it all: `OK: 3 of 3 targets up` or which required ones are down and why. */
export function verdict(rows: readonly CheckRow[]): string {
  const down = rows.filter((row) => !row.report.result.ok);
  const requiredDown = down.filter((row) => row.required);
  const up = `${rows.length - down.length} of ${rows.length} targets up`;
  if (requiredDown.length === 0) {
    return down.length === 0 ? `OK: ${up}` : `OK: ${up} (${down.length} optional down)`;
  }
  const names = requiredDown.map(({ name, report: { result } }) =>
    result.ok ? name : `${name}: ${result.reason}`,
  );
  return `FAILED: ${requiredDown.length} required target(s) down (${names.join(', ')}); ${up}`;
}
