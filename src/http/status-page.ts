import { formatHostPort } from '../config/host-port';
import type { History, HistoryEvent } from '../monitor/history';
import type { TargetStatus } from '../monitor/target-status';
import { describeLatency, describeStrip, renderSparkline, renderStrip } from './status-charts';
import { describeTarget, type describePressure } from './status';
import { STATUS_PAGE_STYLE } from './status-page-style';
import { factsOf, formatClock, formatDuration, reasonInWords } from './status-words';

/** What the "refresh" link offers, in seconds. */
const REFRESH_SECONDS = 5;
/** Events listed under the table. */
const EVENTS_SHOWN = 15;

/** The characters that matter in HTML text and attribute values. */
function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

export interface StatusPageContext {
  version: string;
  ready: boolean;
  now: number;
  sidecar: ReturnType<typeof describePressure>;
  history: History;
  /**
   * Seconds between the page's own reloads, when the reader asked for them (`?refresh=5`).
   * Never by default: a page that reloads by itself loses a screen reader's place (WCAG 2.2.1).
   */
  refreshSeconds: number | undefined;
}

/**
 * The status page at `/`: one self-contained HTML document (no scripts, no external assets),
 * in parts, a row per target, for a stream that yields between them. Every value goes through
 * escapeHtml: target names, addresses and error messages can carry user input.
 */
export function* statusPageParts(
  statuses: readonly TargetStatus[],
  page: StatusPageContext,
): Generator<string> {
  const failing = statuses.filter((status) => status.up === false).length;
  const pending = statuses.filter((status) => status.up === undefined).length;
  const summary =
    failing > 0
      ? `${failing} of ${statuses.length} targets failing`
      : pending > 0
        ? `${pending} of ${statuses.length} targets not probed yet`
        : `All ${statuses.length} targets up`;
  const overall = `${summary}; ${page.ready ? 'ready' : 'not ready'}`;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${page.refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${page.refreshSeconds}">\n`}<title>redis-health-sidecar: ${page.ready ? 'ready' : 'not ready'}</title>
<style>${STATUS_PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>redis-health-sidecar</h1>
<p id="overall" class="${page.ready ? 'ready' : 'unready'}">${escapeHtml(overall)}</p>
</header>
<main>
<table>
<caption>Targets, with the last ${Math.round(page.history.windowMs / 60_000)} minutes</caption>
<thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col">History</th><th scope="col">Redis</th><th scope="col">Readiness</th></tr></thead>
<tbody>
`;
  for (const [index, status] of statuses.entries()) {
    yield `${index === 0 ? '' : '\n'}${renderRow(status, page)}`;
  }
  yield `
</tbody>
</table>
${renderEvents(page.history.events())}
${pressureLine(page.sidecar)}
</main>
<footer>version ${escapeHtml(page.version)} · ${escapeHtml(new Date(page.now).toISOString())} · ${refreshControl(page.refreshSeconds)} · <a href="status">JSON</a> · <a href="status?history=1">JSON with history</a> · <a href="metrics">metrics</a></footer>
</body>
</html>
`;
}

function renderRow(status: TargetStatus, page: StatusPageContext): string {
  const target = describeTarget(status);
  const state = target.up === null ? 'pending' : target.up ? 'up' : 'down';
  const buckets = page.history.of(target.name);
  const name = escapeHtml(target.name);
  const strip = renderStrip(
    buckets,
    escapeHtml(`${target.name}: ${describeStrip(buckets, page.history.bucketMs)}`),
  );
  const measured = buckets.some((bucket) => bucket.maxLatencyMs !== null);
  const spark = measured
    ? renderSparkline(buckets, escapeHtml(`${target.name}: ${describeLatency(buckets)}`))
    : '';
  const latency =
    target.latencyMs === null
      ? ''
      : `<span class="latency">${escapeHtml(target.latencyMs)} ms</span>`;
  return `<tr class="${state}">
<th scope="row"><span class="name">${name}</span><span class="detail">${escapeHtml(target.address)} · ${escapeHtml(target.mode)}</span></th>
<td class="state"><span class="badge">${state}</span>${stateDetail(status, page.now)}</td>
<td class="history">${strip}${spark}${latency}</td>
<td class="facts">${escapeHtml(factsOf(target))}</td>
<td class="readiness">${escapeHtml(target.ready ? 'ready' : target.readiness)}<span class="detail">breaker ${escapeHtml(target.breaker)}</span></td>
</tr>`;
}

/** "down for 3m12s" with the reason in words, or "up since 12:01:03 UTC (5m ago)". */
function stateDetail(status: TargetStatus, now: number): string {
  const since = status.changedAt;
  if (status.up === undefined) return '<span class="detail">not probed yet</span>';
  const duration = since === undefined ? '' : formatDuration(now - since);
  if (status.up) {
    const text = since === undefined ? '' : `up since ${formatClock(since)} (${duration})`;
    return `<span class="detail">${escapeHtml(text)}</span>`;
  }
  const failure = status.lastFailure;
  const words =
    failure === undefined
      ? ''
      : reasonInWords(failure.reason, where(status), status.target.timeoutMs);
  return `<span class="detail">down for ${escapeHtml(duration)}</span><span class="reason">${escapeHtml(words)}</span>${
    failure === undefined
      ? ''
      : `<span class="raw">${escapeHtml(`${failure.reason}: ${failure.message}`)}</span>`
  }`;
}

/** What a failure reason's words name as the place: a sentinel target's sentinels until its master is known. */
function where(status: TargetStatus): string {
  const { sentinel } = status.target;
  if (sentinel === undefined || status.address !== sentinel.masterName) return status.address;
  const sentinels = sentinel.sentinels.map(({ host, port }) => formatHostPort(host, port));
  return `the sentinels (${sentinels.join(', ')})`;
}

function renderEvents(events: readonly HistoryEvent[]): string {
  if (events.length === 0)
    return '<section id="events"><h2>Recent events</h2><p>None yet.</p></section>';
  const items = events.slice(0, EVENTS_SHOWN).map((event) => {
    const who = event.target === undefined ? 'sidecar' : event.target;
    const reason = event.reason === undefined ? '' : ` (${event.reason})`;
    return `<li class="${event.kind}"><time datetime="${new Date(event.at).toISOString()}">${formatClock(event.at)}</time> <strong>${escapeHtml(who)}</strong>: ${escapeHtml(event.text + reason)}</li>`;
  });
  return `<section id="events"><h2>Recent events</h2><ol>${items.join('')}</ol></section>`;
}

/** Turns the page's own reloading on, or says it is on and offers to stop it. */
function refreshControl(seconds: number | undefined): string {
  return seconds === undefined
    ? `<a href="?refresh=${REFRESH_SECONDS}">refresh every ${REFRESH_SECONDS} s</a>`
    : `refreshes every ${seconds} s (<a href="./">stop</a>)`;
}

/** Says so when the sidecar itself was starved: its inconclusive probes were not Redis's fault. */
function pressureLine(sidecar: ReturnType<typeof describePressure>): string {
  if (sidecar.inconclusiveProbes === 0 && sidecar.stalledSeconds < 1) return '';
  const throttled =
    sidecar.cpuThrottledSeconds === null ? '' : `, CPU throttled ${sidecar.cpuThrottledSeconds} s`;
  return `<p id="pressure">The sidecar itself was stalled ${escapeHtml(sidecar.stalledSeconds)} s${escapeHtml(throttled)}; ${escapeHtml(sidecar.inconclusiveProbes)} probe(s) timed out meanwhile and were retried instead of counted as failures.</p>`;
}
