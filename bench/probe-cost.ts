// Bench step `probeCost`: CPU per probe with many targets probed every second, beside the
// floors doing the same PINGs: as many bare ioredis clients with the sidecar's connection
// options (bench/ioredis-floor.ts) and as many raw sockets (bench/raw-socket-floor.ts). Each
// runs alone against the same Redis for the same window; CPU is every thread's, from schedstat.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { round, sampleSum, threadUsage, timedGet } from './measure';
import { sleep, startRedis, startSidecar, track, writeConfig } from './processes';
import type { Mode } from './scenarios';

/** The goal of issue 26: at most this many times bare ioredis's CPU per probe. */
const GOAL_RATIO = 1.5;

interface Run {
  probes: number;
  cpuSeconds: number;
  microsecondsPerProbe: number;
}

/** Measures `pid` for `windowMs`; `probes()` counts the probes it has done so far. */
async function measure(pid: number, probes: () => Promise<number>, windowMs: number) {
  const probesBefore = await probes();
  const before = threadUsage(pid).cpuNs;
  await sleep(windowMs);
  const cpuSeconds = (threadUsage(pid).cpuNs - before) / 1e9;
  const done = (await probes()) - probesBefore;
  return {
    probes: done,
    cpuSeconds: round(cpuSeconds, 3),
    microsecondsPerProbe: round((cpuSeconds / done) * 1e6, 1),
  };
}

/** A floor program that prints `{"ok":N}` per round; its probes are the sum of ok so far. */
async function floor(script: string, args: string[], size: number, windowMs: number) {
  const child = track(
    spawn(process.execPath, [join(__dirname, script), ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  let ok = 0;
  let lastRound = 0;
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      lastRound = (JSON.parse(line) as { ok: number }).ok;
      ok += lastRound;
    }
  });
  const deadline = Date.now() + 60_000;
  while (lastRound < size && Date.now() < deadline) await sleep(200);
  await sleep(3000);
  const run = await measure(child.pid!, () => Promise.resolve(ok), windowMs);
  child.kill('SIGKILL');
  return run;
}

export async function probeCost({ quick }: Mode) {
  const size = quick ? 200 : 1000;
  const windowMs = quick ? 10_000 : 30_000;
  const redis = await startRedis(['--maxclients', '4000']);
  const url = `redis://127.0.0.1:${redis.port}`;
  const targets = Array.from({ length: size }, (_, i) => `  - { name: t${i}, url: '${url}' }`);
  const config = (defaults: string) => `defaults: ${defaults}\ntargets:\n${targets.join('\n')}\n`;
  const sidecar = async (defaults: string): Promise<Run> => {
    const running = await startSidecar(config(defaults));
    const probes = async () =>
      sampleSum((await timedGet(`${running.url}/metrics`)).body, 'redis_health_probes_total');
    const deadline = Date.now() + 60_000;
    const upCount = async () =>
      sampleSum((await timedGet(`${running.url}/metrics`)).body, 'redis_health_up');
    while ((await upCount()) < size && Date.now() < deadline) await sleep(500);
    await sleep(3000);
    const run = await measure(running.pid, probes, windowMs);
    process.kill(running.pid, 'SIGKILL');
    return run;
  };
  const result = {
    targets: size,
    windowSeconds: windowMs / 1000,
    sidecar: await sidecar('{ interval: 1s, timeout: 500ms, connectCheck: 0 }'),
    sidecarWithConnectCheck: await sidecar('{ interval: 1s, timeout: 500ms }'),
    ioredis: await floor(
      'ioredis-floor.js',
      [writeConfig(config('{ interval: 1s }'))],
      size,
      windowMs,
    ),
    rawSockets: await floor(
      'raw-socket-floor.js',
      [String(redis.port), String(size)],
      size,
      windowMs,
    ),
  };
  await redis.stop();
  const ratio = round(result.sidecar.microsecondsPerProbe / result.ioredis.microsecondsPerProbe, 2);
  const goalMet = ratio <= GOAL_RATIO;
  console.log(
    `probeCost at ${size} targets, µs of CPU per probe: sidecar ${result.sidecar.microsecondsPerProbe} ` +
      `(${result.sidecarWithConnectCheck.microsecondsPerProbe} with the connect check), ` +
      `ioredis ${result.ioredis.microsecondsPerProbe}, raw sockets ${result.rawSockets.microsecondsPerProbe}; ` +
      `${ratio}× ioredis (goal ≤ ${GOAL_RATIO}×: ${goalMet ? 'met' : 'not met'})`,
  );
  return { ...result, ratio, goalRatio: GOAL_RATIO, goalMet };
}
