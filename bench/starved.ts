// The sidecar short of CPU: a CFS quota, a busy neighbour on its core, a SIGSTOP duty cycle,
// and a thousand targets starting at once. Redis stays healthy (pinned to another core), so
// every failure the sidecar reports here is a false one.
import { spawnSync } from 'node:child_process';
import { cpuGroup, cpuGroupsWritable, cpuQuota, stopDutyCycle } from '../test/helpers/cpu-pressure';
import { round, sampleSum, timedGet } from './measure';
import {
  sleep,
  startBusyNeighbour,
  startRedis,
  startSidecar,
  type RedisProcess,
  type Sidecar,
} from './processes';
import type { Mode } from './scenarios';

/** The sidecar's core; Redis gets the other one so that it is never the one starved. */
const SIDECAR_CPU = '1';
const REDIS_CPU = '0';
const SETTINGS = { interval: 1000, timeout: 250, failureThreshold: 3 };
/** failureThreshold × interval + timeout: how long a real outage may take to show. */
const BOUND_MS = SETTINGS.failureThreshold * SETTINGS.interval + SETTINGS.timeout;

type Pressure =
  | { kind: 'none' }
  | { kind: 'quota'; percent: number }
  | { kind: 'neighbour' }
  | { kind: 'sigstop'; stopMs: number; periodMs: number };

interface Situation {
  name: string;
  targets: number;
  pressure: Pressure;
}

/** Puts `pid` under the pressure; resolves to a function that lifts it. */
function applyPressure(pid: number, pressure: Pressure): () => void {
  switch (pressure.kind) {
    case 'none':
      return () => undefined;
    case 'quota':
      return cpuQuota(pid, pressure.percent);
    case 'neighbour': {
      // As Kubernetes maps requests to shares: a 10m request beside an app asking for 1 CPU.
      const mine = cpuGroup('sidecar', { 'cpu.shares': '10' });
      const app = cpuGroup('app', { 'cpu.shares': '1024' });
      const neighbour = startBusyNeighbour(SIDECAR_CPU);
      mine.add(pid);
      app.add(neighbour);
      return () => {
        mine.remove();
        app.remove();
        process.kill(neighbour, 'SIGKILL');
      };
    }
    case 'sigstop':
      return stopDutyCycle(pid, pressure.stopMs, pressure.periodMs);
  }
}

const config = (redis: RedisProcess, targets: number, timeoutMs = SETTINGS.timeout) =>
  [
    'listen: 127.0.0.1:0',
    'log: { level: info }',
    `defaults: { interval: ${SETTINGS.interval}ms, timeout: ${timeoutMs}ms, breaker: { failureThreshold: ${SETTINGS.failureThreshold}, recoveryTimeout: 5s } }`,
    'targets:',
    ...Array.from(
      { length: targets },
      (_, i) => `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/${i % 16}' }`,
    ),
    '',
  ].join('\n');

/** The counters a situation is judged by, summed over targets. */
function counters(text: string) {
  const result = (reason: string) =>
    sampleSum(text, 'redis_health_probes_total', `result="${reason}"`);
  const probes = sampleSum(text, 'redis_health_probes_total');
  return {
    probes,
    ok: result('ok'),
    inconclusive: result('inconclusive'),
    trips: sampleSum(text, 'redis_health_breaker_transitions_total', 'to="open"'),
    latency: latencyBuckets(text),
  };
}

/** The probe latency histogram summed over targets, cumulative counts by `le`. */
function latencyBuckets(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const match of text.matchAll(
    /^redis_health_probe_duration_seconds_bucket\{le="([^"]+)",[^}]*\} (\S+)$/gm,
  )) {
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    out.set(le, (out.get(le) ?? 0) + Number(match[2]));
  }
  return out;
}

/** The median probe latency between two readings, interpolated inside its bucket, in ms. */
function medianMs(before: Map<number, number>, after: Map<number, number>): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return null;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count >= total / 2) {
      const upper = Number.isFinite(bound) ? bound : lower;
      const share = count === below ? 0 : (total / 2 - below) / (count - below);
      return round((lower + (upper - lower) * share) * 1000, 3);
    }
    lower = bound;
    below = count;
  }
  return null;
}

/** Polls an endpoint every `everyMs` until stopped; seconds it answered `bad` (or not at all). */
function watchEndpoint(url: string, good: number, everyMs = 250) {
  let badMs = 0;
  let polls = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      const reply = await timedGet(url, 2000);
      polls += 1;
      if (reply.status !== good && reply.status !== 0) badMs += everyMs;
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return async () => {
    running = false;
    await done;
    return { badSeconds: round(badMs / 1000, 2), polls };
  };
}

async function pinRedis(redis: RedisProcess) {
  const pid = /process_id:(\d+)/.exec(String(await redis.command('INFO', 'server')))?.[1];
  if (pid !== undefined) spawnSync('taskset', ['-pc', REDIS_CPU, pid]);
}

async function waitAllUp(sidecar: Sidecar, targets: number) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = (await timedGet(`${sidecar.url}/metrics`)).body;
    if (sampleSum(text, 'redis_health_up') >= targets) return;
    await sleep(250);
  }
  throw new Error(`not all ${targets} targets came up`);
}

/** One situation: all targets up unstarved, then `windowMs` under pressure with a scrape every 5 s. */
async function runSituation(redis: RedisProcess, situation: Situation, windowMs: number) {
  const sidecar = await startSidecar(config(redis, situation.targets), undefined, SIDECAR_CPU);
  await waitAllUp(sidecar, situation.targets);
  const before = counters((await timedGet(`${sidecar.url}/metrics`)).body);
  const release = applyPressure(sidecar.pid, situation.pressure);
  const ready = watchEndpoint(`${sidecar.url}/readyz`, 200);
  const live = watchEndpoint(`${sidecar.url}/healthz`, 200);
  const started = Date.now();
  let scrapes = 0;
  let slowestScrapeMs = 0;
  while (Date.now() - started < windowMs) {
    await sleep(Math.min(5000, windowMs - (Date.now() - started)));
    const scrape = await timedGet(`${sidecar.url}/metrics`, 10_000);
    scrapes += 1;
    slowestScrapeMs = Math.max(slowestScrapeMs, scrape.ms);
  }
  // Read the counters while still under pressure: the answer may be slow, but it is the truth.
  // A starved sidecar may not answer in 30 s; then they are read just after the pressure ends.
  let reading = await timedGet(`${sidecar.url}/metrics`, 30_000);
  release();
  const readAfterRelease = reading.status !== 200;
  if (readAfterRelease) reading = await timedGet(`${sidecar.url}/metrics`, 30_000);
  const after = counters(reading.body);
  const [readyz, healthz] = await Promise.all([ready(), live()]);
  process.kill(sidecar.pid, 'SIGKILL');
  const probes = after.probes - before.probes;
  const ok = after.ok - before.ok;
  const inconclusive = after.inconclusive - before.inconclusive;
  return {
    situation: situation.name,
    targets: situation.targets,
    seconds: windowMs / 1000,
    probes,
    due: Math.round((situation.targets * windowMs) / SETTINGS.interval),
    falseFailures: probes - ok - inconclusive,
    inconclusive,
    trips: after.trips - before.trips,
    readyz503Seconds: readyz.badSeconds,
    healthz500Seconds: healthz.badSeconds,
    latencyP50Ms: medianMs(before.latency, after.latency),
    scrapes,
    slowestScrapeMs: round(slowestScrapeMs),
    readAfterRelease,
  };
}

/** A real hang (SIGSTOP on Redis) under a 5 % quota: how long until /readyz says 503. */
async function hangUnderQuota(redis: RedisProcess, targets: number) {
  const sidecar = await startSidecar(config(redis, targets), undefined, SIDECAR_CPU);
  await waitAllUp(sidecar, targets);
  const release = applyPressure(sidecar.pid, { kind: 'quota', percent: 5 });
  await sleep(3000);
  await redis.pause();
  const hungAt = performance.now();
  let detectedMs: number | null = null;
  while (performance.now() - hungAt < 4 * BOUND_MS) {
    if ((await timedGet(`${sidecar.url}/readyz`, 2000)).status === 503) {
      detectedMs = Math.round(performance.now() - hungAt);
      break;
    }
    await sleep(50);
  }
  await redis.resume();
  release();
  process.kill(sidecar.pid, 'SIGKILL');
  return { targets, boundMs: BOUND_MS, limitMs: 2 * BOUND_MS, detectedMs };
}

/** A thousand targets (a hundred in quick mode) starting at once, timeout 500 ms, no pressure. */
async function startUp(redis: RedisProcess, targets: number, windowMs: number) {
  const startedAt = performance.now();
  const sidecar = await startSidecar(config(redis, targets, 500), undefined, SIDECAR_CPU);
  await sleep(Math.max(0, windowMs - (performance.now() - startedAt)));
  const text = (await timedGet(`${sidecar.url}/metrics`, 30_000)).body;
  const after = counters(text);
  const probedTargets = text
    .split('\n')
    .filter((line) => line.startsWith('redis_health_last_success_timestamp_seconds{'))
    .filter((line) => !line.endsWith(' 0')).length;
  process.kill(sidecar.pid, 'SIGKILL');
  return {
    targets,
    seconds: windowMs / 1000,
    probes: after.probes,
    falseFailures: after.probes - after.ok - after.inconclusive,
    inconclusive: after.inconclusive,
    targetsAnswered: probedTargets,
  };
}

/** 6. The sidecar starved of CPU beside a healthy Redis: false failures, trips, unready seconds. */
export async function starved({ quick }: Mode) {
  const windowMs = quick ? 10_000 : 60_000;
  const redis = await startRedis(['--maxclients', '4000']);
  await pinRedis(redis);
  const cgroups = cpuGroupsWritable();
  const stop = { kind: 'sigstop', stopMs: 80, periodMs: 100 } as const;
  const situations: Situation[] = [
    { name: 'no pressure', targets: 50, pressure: { kind: 'none' } },
    ...(cgroups
      ? ([
          {
            name: 'CPU quota 5% (cfs_quota_us)',
            targets: 50,
            pressure: { kind: 'quota', percent: 5 },
          },
          {
            name: 'CPU quota 2% (cfs_quota_us)',
            targets: 20,
            pressure: { kind: 'quota', percent: 2 },
          },
          {
            name: 'busy neighbour, cpu.shares 10 vs 1024',
            targets: 30,
            pressure: { kind: 'neighbour' },
          },
          {
            name: 'busy neighbour, cpu.shares 10 vs 1024',
            targets: 3,
            pressure: { kind: 'neighbour' },
          },
        ] satisfies Situation[])
      : []),
    { name: 'SIGSTOP 80 ms of every 100 ms', targets: 30, pressure: stop },
  ];
  const rows = [];
  for (const situation of situations) {
    console.log(`bench: starved: ${situation.name}, ${situation.targets} targets`);
    rows.push(await runSituation(redis, situation, windowMs));
  }
  const hang = cgroups ? await hangUnderQuota(redis, 50) : null;
  const startup = await startUp(redis, quick ? 100 : 1000, 12_000);
  return {
    settings: { ...SETTINGS, windowMs, scrapeEveryMs: 5000 },
    cgroups: cgroups
      ? 'cgroup v1 cpu controller (quota and shares), sidecar pinned to core 1 and Redis to core 0'
      : 'no writable cgroup v1 cpu controller here: SIGSTOP duty cycle only',
    rows,
    hang,
    startup,
  };
}
