import type { Config } from '../config/types';
import type { ProbeResult } from '../probe/result';
import { createProber } from '../probe/prober';

export interface CheckRow {
  name: string;
  address: string;
  required: boolean;
  result: ProbeResult;
}

/** Probes every target once, concurrently, and closes the connections. */
export async function checkTargets(config: Config): Promise<CheckRow[]> {
  return Promise.all(
    config.targets.map(async (target) => {
      const prober = createProber(target);
      const result = await prober.probe();
      // For a sentinel target, where the master was found rather than its name.
      const address = prober.address?.() ?? target.address;
      await prober.close();
      return { name: target.name, address, required: target.required, result };
    }),
  );
}

/** Whether every required target answered. */
export function allRequiredUp(rows: readonly CheckRow[]): boolean {
  return rows.every((row) => row.result.ok || !row.required);
}

/** A plain-text table: TARGET ADDRESS REQUIRED STATE LATENCY REASON. */
export function formatTable(rows: readonly CheckRow[]): string {
  const header = ['TARGET', 'ADDRESS', 'REQUIRED', 'STATE', 'LATENCY', 'REASON'];
  const cells = rows.map(({ name, address, required, result }) => [
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
