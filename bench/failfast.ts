// Bench step `failfast`: does following the sidecar's /watch let an application fail fast
// while its Redis hangs, and get back to Redis soon after? Three variants of one small app in
// the same run (see failfast-app.ts), each under steady open-loop load with Redis SIGSTOPped
// in the middle; then what 100 /watch readers cost the sidecar at 1000 targets.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { percentile, round } from './measure';
import { sleep, startRedis, startSidecar, track, type RedisProcess } from './processes';
import type { Mode } from './scenarios';

const VARIANTS = ['none', 'own', 'watch'] as const;
type Variant = (typeof VARIANTS)[number];

/** The sidecar as the watch variant uses it: interval 1 s, timeout 250 ms, threshold 3. */
const PROBE = { intervalMs: 1000, timeoutMs: 250, failures: 3, recoveryMs: 1000 };
/** When it notices a hang at the latest: the design's bound, plus the ±5 % jitter. */
const DETECT_BOUND_MS = PROBE.failures * PROBE.intervalMs * 1.05 + PROBE.timeoutMs;

interface Sample {
  /** Start, ms from the run's start. */
  at: number;
  ms: number;
  from: string;
}

export async function failfast({ quick }: Mode) {
  const plan = quick
    ? { rps: 100, warmMs: 3000, outageMs: 6000, tailMs: 5000 }
    : { rps: 200, warmMs: 10_000, outageMs: 20_000, tailMs: 45_000 };
  const variants: Record<string, ReturnType<typeof summarize>> = {};
  let delays: number[] = [];
  for (const variant of VARIANTS) {
    const redis = await startRedis();
    await redis.admin.set('failfast:key', 'value');
    const sidecar = await startSidecar(watchedConfig(redis));
    const { url: app, pid: appPid } = await startApp(variant, redis.port, sidecar.url);
    await sleep(1500);
    const samples = await underLoad(app, redis, plan);
    variants[variant] = summarize(samples, plan);
    if (variant === 'watch') {
      const stats = (await (await fetch(`${app}/stats`)).json()) as { callbackDelays: number[] };
      delays = stats.callbackDelays;
    }
    process.kill(appPid, 'SIGKILL');
    process.kill(sidecar.pid, 'SIGKILL');
    await redis.stop();
  }
  const callback = {
    count: delays.length,
    p50: round(percentile(delays, 0.5)),
    p99: round(percentile(delays, 0.99)),
  };
  return {
    plan,
    probe: PROBE,
    detectBoundMs: DETECT_BOUND_MS,
    variants,
    callback,
  };
}

function watchedConfig(redis: RedisProcess): string {
  return `listen: 127.0.0.1:0
defaults:
  interval: ${PROBE.intervalMs}ms
  timeout: ${PROBE.timeoutMs}ms
  connectCheck: 0
  breaker: { failureThreshold: ${PROBE.failures}, recoveryTimeout: ${PROBE.recoveryMs}ms, successThreshold: 2 }
targets:
  - { name: main, url: 'redis://127.0.0.1:${redis.port}/0' }
`;
}

async function startApp(variant: Variant, redisPort: number, sidecarUrl: string) {
  const main = join(__dirname, 'failfast-app.js');
  const child = track(
    spawn(process.execPath, [main, variant, String(redisPort), sidecarUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout!.on('data', (chunk: Buffer) => {
      const found = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (found !== undefined) resolve(found);
    }),
  );
  return { url: `http://127.0.0.1:${port}`, pid: child.pid! };
}

/** Open-loop load: requests leave on schedule whatever the earlier ones are doing. */
async function underLoad(
  app: string,
  redis: RedisProcess,
  plan: { rps: number; warmMs: number; outageMs: number; tailMs: number },
) {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const begin = performance.now();
  const send = () => {
    const at = performance.now() - begin;
    const done = new Promise<void>((resolve) => {
      const req = request(`${app}/item`, { agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          samples.push({ at, ms: performance.now() - begin - at, from: body });
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const stopAt = plan.warmMs;
  const resumeAt = plan.warmMs + plan.outageMs;
  let paused = false;
  let resumed = false;
  for (let i = 0; ; i += 1) {
    const due = (i * 1000) / plan.rps;
    const wait = due - (performance.now() - begin);
    if (wait > 0) await sleep(wait);
    const now = performance.now() - begin;
    if (!paused && now >= stopAt) {
      await redis.pause();
      paused = true;
    }
    if (!resumed && now >= resumeAt) {
      await redis.resume();
      resumed = true;
    }
    if (now >= resumeAt + plan.tailMs || (resumed && backOnRedis(samples, resumeAt))) break;
    send();
  }
  await Promise.all(pending);
  agent.destroy();
  return { samples, stopAt, resumeAt };
}

/** Back on Redis: the last 20 answers that left after Redis resumed all came from Redis. */
function backOnRedis(samples: readonly Sample[], resumeAt: number): boolean {
  const after = samples.filter((sample) => sample.at >= resumeAt + 500);
  return after.length >= 20 && after.slice(-20).every((sample) => sample.from === 'redis');
}

function summarize(
  run: { samples: Sample[]; stopAt: number; resumeAt: number },
  plan: { tailMs: number },
) {
  const { samples, stopAt, resumeAt } = run;
  const during = samples.filter((s) => s.at >= stopAt && s.at < resumeAt).map((s) => s.ms);
  const slow = samples.filter((s) => s.ms >= 1000);
  const firstBack = samples
    .filter((s) => s.at >= resumeAt && s.from === 'redis')
    .sort((a, b) => a.at - b.at)[0];
  return {
    requests: samples.length,
    waitedOneSecond: slow.length,
    /** Slow requests that left later than the sidecar's detection bound after the hang began. */
    slowPastDetection: slow.filter((s) => s.at > stopAt + DETECT_BOUND_MS).length,
    outage: { p50: round(percentile(during, 0.5)), p99: round(percentile(during, 0.99)) },
    /** From Redis resuming to the first request answered from Redis again; null: not in the run. */
    backOnRedisMs: firstBack === undefined ? null : round(firstBack.at - resumeAt),
    tailMs: plan.tailMs,
  };
}
