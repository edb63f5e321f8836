import { allRequiredUp, verdict, type CheckRow } from './check';

/**
 * A plain-text table for people ([SHARD] TARGET ADDRESS REQUIRED STATE LATENCY ROLE VERSION MEMORY
 * CLIENTS REASON), then the one-line verdict.
 */
export function formatTable(rows: readonly CheckRow[]): string {
  const sharded = rows.some((row) => row.shard !== undefined);
  const header = [
    ...(sharded ? ['SHARD'] : []),
    'TARGET',
    'ADDRESS',
    'REQUIRED',
    'STATE',
    'LATENCY',
    'ROLE',
    'VERSION',
    'MEMORY',
    'CLIENTS',
    'REASON',
  ];
  const cells = rows.map(({ name, address, required, shard, report: { result, info } }) => {
    const facts = info?.facts;
    return [
      ...(sharded ? [String(shard ?? '-')] : []),
      name,
      address,
      required ? 'yes' : 'no',
      result.ok ? 'up' : 'down',
      result.ok ? `${(result.seconds * 1000).toFixed(2)}ms` : '-',
      facts?.role ?? '-',
      facts?.version ?? '-',
      facts === undefined ? '-' : facts.usedMemoryHuman,
      facts === undefined ? '-' : String(facts.connectedClients),
      result.ok ? 'ok' : `${result.reason}: ${result.message}`,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const lines = [header, ...cells].map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
  return [...lines, '', verdict(rows)].join('\n');
}

/** The same for scripts: one JSON document with every target and the verdict. */
export function formatJson(rows: readonly CheckRow[]): string {
  return JSON.stringify(
    {
      ok: allRequiredUp(rows),
      verdict: verdict(rows),
      targets: rows.map(({ name, address, required, shard, report: { result, info } }) => ({
        ...(shard !== undefined && { shard }),
        name,
        address,
        required,
        up: result.ok,
        latencyMs: result.ok ? Math.round(result.seconds * 1e6) / 1000 : null,
        reason: result.ok ? null : result.reason,
        message: result.ok ? null : result.message,
        server: info?.facts ?? null,
      })),
    },
    null,
    2,
  );
}
