// Small measuring tools: HTTP timing with a keep-alive agent (as Prometheus scrapes),
// percentiles, /proc readings, Prometheus text parsing.
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface Timed {
  status: number;
  ms: number;
  body: string;
}

/** The Accept header Prometheus 2.x scrapes with: OpenMetrics first, then text 0.0.4. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * GET with a keep-alive agent and Prometheus's Accept header, as a scrape asks, timed from
 * sending the request to the last byte of the answer; `timeoutMs` bounds the wait (status 0
 * when it runs out).
 */
export function timedGet(url: string, timeoutMs = 30_000): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { Accept: PROMETHEUS_ACCEPT } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      // Timed at the last byte; decoding megabytes of text here is the client's cost, not the server's.
      res.on('end', () => {
        const ms = performance.now() - started;
        resolve({ status: res.statusCode ?? 0, ms, body: Buffer.concat(chunks).toString('utf8') });
      });
      // A server killed halfway through its answer (an OOM kill) ends it without 'end'.
      res.on('close', () => {
        if (!res.complete) resolve({ status: 0, ms: performance.now() - started, body: '' });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, body: '' }));
    req.end();
  });
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** User + system CPU seconds of a process (clock ticks are 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU nanoseconds and context switches of every thread of `pid` so far, from the kernel's
 * per-thread schedstat: finer than the clock ticks of cpuSeconds().
 */
export function threadUsage(pid: number): { cpuNs: number; switches: number } {
  let cpuNs = 0;
  let switches = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    cpuNs += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    for (const match of status.matchAll(/ctxt_switches:\s+(\d+)/g)) switches += Number(match[1]);
  }
  return { cpuNs, switches };
}

/** Sum of every sample of `name` (any labels) in Prometheus text. */
export function sampleSum(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFilter !== '' && !rest.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Cumulative bucket counts of a histogram without labels, by `le`. */
export function buckets(text: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const match of text.matchAll(
    new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'),
  )) {
    out.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return out;
}

/** The upper bound of the bucket holding quantile `q` of the observations between two readings. */
export function bucketQuantile(
  before: Map<number, number>,
  after: Map<number, number>,
  q: number,
): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= q * total) return bound;
  }
  return Infinity;
}

/** `INFO stats commandstats` as numbers: total calls, connections received. */
export function redisCounters(info: string): { calls: number; connections: number } {
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  const connections = Number(/^total_connections_received:(\d+)/m.exec(info)?.[1] ?? 0);
  return { calls, connections };
}
