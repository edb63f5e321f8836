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
      return {
        name: target.name,
        address,
        required: target.required,
        result: report.result,
        report,
      };
    }),
  );
}

/** Whether every required target answered. */
export function allRequiredUp(rows: readonly CheckRow[]): boolean {
  return rows.every((row) => row.report.result.ok || !row.required);
}

/** A plain-text table: TARGET ADDRESS REQUIRED STATE LATENCY REASON. */
export function formatTable(rows: readonly CheckRow[]): string {
  const header = ['TARGET', 'ADDRESS', 'REQUIRED', 'STATE', 'LATENCY', 'REASON'];
  const cells = rows.map(({ name, address, required, report: { result } }) => [
    name,
    address,
    required ? 'yes' : 'no',
    result.ok ? 'up' : 'down',
    result.ok ? `${(result.seconds * 1000).toFixed(2)}ms` : '-',
    result.ok ? 'ok' : `${result.reason}: ${result.message}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...cells]
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}
