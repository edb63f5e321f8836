import type { TargetStatus } from '../monitor/target-status';
import { describeTarget, type describePressure } from './status';

/** Seconds between the page's own refreshes. */
const REFRESH_SECONDS = 5;

/** The characters that matter in HTML text and attribute values. */
function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

/**
 * The status page at `/`: one self-contained HTML document (no scripts, no external assets)
 * that reloads itself every few seconds. Every value goes through escapeHtml: target names,
 * addresses and error messages can carry user input.
 */
export function renderStatusPage(
  statuses: readonly TargetStatus[],
  page: {
    version: string;
    ready: boolean;
    now: number;
    sidecar: ReturnType<typeof describePressure>;
  },
): string {
  const rows = statuses.map((status) => {
    const target = describeTarget(status);
    const server = 'server' in target ? target.server : null;
    const state = target.up === null ? 'pending' : target.up ? 'up' : 'down';
    const facts =
      server === null
        ? target.mode === 'cluster' && 'cluster' in target
          ? `cluster ${target.cluster.state ?? '?'}, ${target.cluster.nodes.length} masters`
          : ''
        : `${server.role} ${server.version}, ${server.connectedClients} clients, ${server.usedMemory}, up ${formatUptime(server.uptimeSeconds)}`;
    const cells = [
      target.name,
      target.address,
      target.mode,
      state,
      target.breaker,
      target.latencyMs === null ? '' : `${target.latencyMs} ms`,
      target.lastError === null ? '' : `${target.lastError.reason}: ${target.lastError.message}`,
      facts,
      target.ready ? 'ready' : target.readiness,
    ];
    return `<tr class="${state}">${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
  });
  const headings = [
    'Target',
    'Address',
    'Mode',
    'State',
    'Breaker',
    'Latency',
    'Last error',
    'Redis',
    'Readiness',
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>redis-health-sidecar: ${page.ready ? 'ready' : 'not ready'}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.3em 0.8em; border-bottom: 1px solid #ddd; }
tr.up td:nth-child(4) { color: #176f2c; font-weight: bold; }
tr.down td:nth-child(4) { color: #b3261e; font-weight: bold; }
footer { margin-top: 1em; color: #666; }
</style>
</head>
<body>
<h1>redis-health-sidecar</h1>
<p id="overall">${page.ready ? 'Ready' : 'Not ready'}: ${statuses.length} target(s)</p>
<table>
<thead><tr>${headings.map((heading) => `<th>${heading}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${pressureLine(page.sidecar)}
<footer>version ${escapeHtml(page.version)} · ${escapeHtml(new Date(page.now).toISOString())} · refreshes every ${REFRESH_SECONDS} s · <a href="status">JSON</a> · <a href="metrics">metrics</a></footer>
</body>
</html>
`;
}

function formatUptime(seconds: number): string {
  if (seconds >= 86_400) return `${Math.floor(seconds / 86_400)}d`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
  return `${seconds}s`;
}

/** Says so when the sidecar itself was starved: its inconclusive probes were not Redis's fault. */
function pressureLine(sidecar: ReturnType<typeof describePressure>): string {
  if (sidecar.inconclusiveProbes === 0 && sidecar.stalledSeconds < 1) return '';
  const throttled =
    sidecar.cpuThrottledSeconds === null ? '' : `, CPU throttled ${sidecar.cpuThrottledSeconds} s`;
  return `<p id="pressure">The sidecar itself was stalled ${escapeHtml(sidecar.stalledSeconds)} s${escapeHtml(throttled)}; ${escapeHtml(sidecar.inconclusiveProbes)} probe(s) timed out meanwhile and were retried instead of counted as failures.</p>`;
}
