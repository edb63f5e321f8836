import type { Config } from '../config/types';
import { createProber } from '../probe/prober';
import type { ProbeReport } from '../probe/report';

export interface CheckRow {
  name: string;
  /** Where the probe went: for a sentinel target, where the master was found. */
  address: string;
  required: boolean;
  report: ProbeReport;
}

/** Probes every target once, concurrently, and closes the connections. */
export async function checkTargets(config: Config): Promise<CheckRow[]> {
  return Promise.all(
    config.targets.map(async (target) => {
      const prober = createProber(target);
      const report = await prober.probe();
      await prober.close();
      const address = report.address ?? target.address;
      return { name: target.name, address, required: target.required, report };
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
