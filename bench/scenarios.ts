// One function per goal of the benchmark; each starts what it needs and returns its numbers.
import { once } from 'node:events';
import { connect } from 'node:net';
import { startFaultProxy } from '../test/helpers/fault-proxy';
import { waitFor } from '../test/helpers/wait';
import {
  bucketQuantile,
  buckets,
  cpuSeconds,
  percentile,
  redisCounters,
  round,
  rssMiB,
  sampleSum,
  timedGet,
} from './measure';
import {
  exporterInstalled,
  sleep,
  startExporter,
  startRedis,
  startSidecar,
  type RedisProcess,
} from './processes';

export interface Mode {
  quick: boolean;
}

const targetConfig = (lines: string[], defaults: string) =>
  `listen: 127.0.0.1:0\nlog: { level: info }\ndefaults: ${defaults}\ntargets:\n${lines.join('\n')}\n`;
const oneTarget = (redis: RedisProcess, defaults: string) =>
  targetConfig([`  - { name: main, url: 'redis://127.0.0.1:${redis.port}/0' }`], defaults);

async function timeScrapes(url: string, count: number, timeoutMs = 30_000) {
  const ms: number[] = [];
  for (let i = 0; i < count; i += 1) ms.push((await timedGet(url, timeoutMs)).ms);
  return { p50: round(percentile(ms, 0.5)), p99: round(percentile(ms, 0.99)), count };
}

/** 1. /metrics latency, Redis healthy and Redis hung (SIGSTOP), sidecar beside the exporter. */
export async function scrapeLatency({ quick }: Mode) {
  const redis = await startRedis();
  const sidecar = await startSidecar(oneTarget(redis, '{ interval: 1s, timeout: 500ms }'));
  const exporter = exporterInstalled() ? await startExporter(redis.port) : undefined;
  await sleep(1500);
  const count = quick ? 200 : 1000;
  const healthy = {
    sidecar: await timeScrapes(`${sidecar.url}/metrics`, count),
    exporter: exporter && (await timeScrapes(`${exporter.url}/metrics`, count)),
  };
  // The exporter waits for its Redis connection timeout on every scrape: a few, side by side.
  // Quick mode stops waiting after 5 s.
  const hungWaitMs = quick ? 5000 : 60_000;
  await redis.pause();
  await sleep(200);
  const [sidecarHung, exporterReplies] = await Promise.all([
    timeScrapes(`${sidecar.url}/metrics`, count),
    exporter &&
      Promise.all(Array.from({ length: 3 }, () => timedGet(`${exporter.url}/metrics`, hungWaitMs))),
  ]);
  const waited = exporterReplies?.map((reply) => reply.ms) ?? [];
  const exporterHung = exporterReplies && {
    p50: round(percentile(waited, 0.5)),
    p99: round(percentile(waited, 0.99)),
    count: waited.length,
    gaveUp: exporterReplies.some((reply) => reply.status === 0),
  };
  await redis.resume();
  return { healthy, hung: { sidecar: sidecarHung, exporter: exporterHung } };
}

/** 2. Hung, killed, black-holed Redis: time to /readyz 503 and back to 200, against the bounds. */
export async function detection({ quick }: Mode) {
  const settings = { interval: 500, timeout: 250, failures: 3, recovery: 2000, successes: 2 };
  const detectBound = settings.failures * settings.interval + settings.timeout;
  const recoverBound = settings.recovery + settings.successes * settings.interval;
  const redis = await startRedis();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: redis.port });
  const defaults =
    `{ interval: ${settings.interval}ms, timeout: ${settings.timeout}ms, breaker: ` +
    `{ failureThreshold: ${settings.failures}, recoveryTimeout: ${settings.recovery}ms, successThreshold: ${settings.successes} } }`;
  const sidecar = await startSidecar(
    targetConfig(
      [
        `  - { name: direct, url: 'redis://127.0.0.1:${redis.port}/0' }`,
        `  - { name: proxied, url: '${proxy.url()}' }`,
      ],
      defaults,
    ),
  );
  const readyz = async (name: string) => (await timedGet(`${sidecar.url}/readyz/${name}`)).status;
  /** Polls /readyz/NAME every 5 ms; resolves with the ms it took to answer `status`. */
  const readyzIs = (name: string, status: number) =>
    waitFor(`${name} to answer ${status}`, async () => (await readyz(name)) === status, {
      timeoutMs: 30_000,
      everyMs: 5,
    });
  const faults = [
    {
      fault: 'hung (SIGSTOP)',
      name: 'direct',
      inject: async () => redis.pause(),
      restore: async () => redis.resume(),
    },
    {
      fault: 'killed (SIGKILL)',
      name: 'direct',
      inject: () => redis.kill(),
      restore: () => redis.restart(),
    },
    {
      fault: 'black-holed',
      name: 'proxied',
      inject: () => proxy.set('blackhole'),
      restore: () => proxy.set('pass'),
    },
  ];
  const rounds = quick ? 1 : 5;
  const results = [];
  for (const { fault, name, inject, restore } of faults) {
    const detect: number[] = [];
    const recover: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      await readyzIs(name, 200);
      await sleep(settings.interval * 2);
      await inject();
      detect.push(await readyzIs(name, 503));
      await restore();
      recover.push(await readyzIs(name, 200));
    }
    results.push({
      fault,
      detectMs: round(Math.max(...detect), 0),
      detectBoundMs: detectBound,
      recoverMs: round(Math.max(...recover), 0),
      recoverBoundMs: recoverBound,
      withinBounds:
        Math.max(...detect) <= detectBound + settings.interval &&
        Math.max(...recover) <= recoverBound + settings.interval,
    });
  }
  await proxy.close();
  return { settings, rounds, results };
}

/** 3. Commands and new connections per observation, read from Redis's own counters. */
export async function costOnRedis({ quick }: Mode) {
  const windowMs = quick ? 15_000 : 60_000;
  const read = async (redis: RedisProcess) =>
    redisCounters(String(await redis.admin.info('stats', 'commandstats')));
  // Probe every 250 ms with INFO every 7.5 s and a fresh connection every 15 s: one INFO per 30
  // probes and one connect check per 60, as with a 1 s interval and the default 30 s
  // infoInterval and 1 m connectCheck, in a quarter of the time.
  const forSidecar = await startRedis();
  const connectCheckMs = 15_000;
  const sidecar = await startSidecar(
    oneTarget(
      forSidecar,
      `{ interval: 250ms, timeout: 200ms, infoInterval: 7500ms, connectCheck: ${connectCheckMs}ms }`,
    ),
  );
  const forExporter = exporterInstalled() ? await startRedis() : undefined;
  const exporter = forExporter && (await startExporter(forExporter.port));
  await sleep(2000); // connected, first INFO read
  const probes = async () =>
    sampleSum((await timedGet(`${sidecar.url}/metrics`)).body, 'redis_health_probes_total');
  const before = {
    sidecar: await read(forSidecar),
    probes: await probes(),
    exporter: forExporter && (await read(forExporter)),
  };
  let scrapes = 0;
  const started = Date.now();
  while (Date.now() - started < windowMs) {
    if (exporter) {
      await timedGet(`${exporter.url}/metrics`);
      scrapes += 1;
    }
    await sleep(1000);
  }
  const after = {
    sidecar: await read(forSidecar),
    probes: await probes(),
    exporter: forExporter && (await read(forExporter)),
  };
  const probeCount = after.probes - before.probes;
  return {
    windowMs,
    sidecar: {
      probes: probeCount,
      // One of the calls counted is the benchmark's own INFO.
      commandsPerProbe: round((after.sidecar.calls - before.sidecar.calls - 1) / probeCount, 3),
      newConnectionsPerProbe: round(
        (after.sidecar.connections - before.sidecar.connections) / probeCount,
        3,
      ),
      // The benchmark's own INFO connection is one of those counted.
      newConnections: after.sidecar.connections - before.sidecar.connections - 1,
      connectChecksDue: Math.floor(windowMs / connectCheckMs),
    },
    exporter:
      before.exporter && after.exporter
        ? {
            scrapes,
            commandsPerScrape: round(
              (after.exporter.calls - before.exporter.calls - 1) / scrapes,
              2,
            ),
            newConnectionsPerScrape: round(
              (after.exporter.connections - before.exporter.connections) / scrapes,
              2,
            ),
          }
        : undefined,
  };
}

/**
 * 4. The sidecar's probe round trip beside a raw socket sending PING at the same cadence (1 s)
 * to the same server, in the same window: what Redis and the loopback take, and what the
 * sidecar adds to it. (`redis-cli --latency` pings every 10 ms and counts whole milliseconds:
 * it measures a hot loop, not a probe every second.)
 */
export async function accuracy({ quick }: Mode) {
  const seconds = quick ? 15 : 60;
  const redis = await startRedis();
  const sidecar = await startSidecar(oneTarget(redis, '{ interval: 1s, timeout: 500ms }'));
  await sleep(2000);
  const histogram = async () => {
    const text = (await timedGet(`${sidecar.url}/metrics`)).body;
    return {
      sum: sampleSum(text, 'redis_health_probe_duration_seconds_sum'),
      count: sampleSum(text, 'redis_health_probe_duration_seconds_count'),
    };
  };
  const before = await histogram();
  const raw = await rawPings(redis.port, seconds);
  const after = await histogram();
  await redis.stop();
  const sidecarAvgMs = ((after.sum - before.sum) / (after.count - before.count)) * 1000;
  const rawAvgMs = raw.reduce((total, ms) => total + ms, 0) / raw.length;
  return {
    seconds,
    rawSocket: {
      avgMs: round(rawAvgMs, 3),
      p50Ms: round(percentile(raw, 0.5), 3),
      samples: raw.length,
    },
    sidecar: { avgMs: round(sidecarAvgMs, 3), probes: after.count - before.count },
    ratio: round(sidecarAvgMs / rawAvgMs, 2),
  };
}

/** Round trips of PING on one kept socket, one a second: from the write to the reply. */
async function rawPings(port: number, count: number): Promise<number[]> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    await sleep(1000);
    const reply = once(socket, 'data');
    const started = process.hrtime.bigint();
    socket.write('PING\r\n');
    await reply;
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  socket.destroy();
  return times;
}

/** 5. RSS, CPU, schedule delay and /metrics time at 1, 100 and 1000 targets probed every second. */
export async function scale({ quick }: Mode) {
  const sizes = quick ? [1, 100] : [1, 100, 1000];
  const windowMs = quick ? 10_000 : 30_000;
  const redis = await startRedis(['--databases', '1000', '--maxclients', '4000']);
  const rows = [];
  for (const size of sizes) {
    const lines = Array.from(
      { length: size },
      (_, i) => `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/${i}' }`,
    );
    const sidecar = await startSidecar(targetConfig(lines, '{ interval: 1s, timeout: 500ms }'));
    const metrics = async () => (await timedGet(`${sidecar.url}/metrics`)).body;
    const upCount = async () => sampleSum(await metrics(), 'redis_health_up');
    const deadline = Date.now() + 60_000;
    while ((await upCount()) < size && Date.now() < deadline) await sleep(500);
    await sleep(3000);
    const delayBefore = buckets(await metrics(), 'redis_health_schedule_delay_seconds');
    const cpuBefore = cpuSeconds(sidecar.pid);
    const started = performance.now();
    await sleep(windowMs);
    const cpuShare = (cpuSeconds(sidecar.pid) - cpuBefore) / ((performance.now() - started) / 1000);
    // Before the burst of scrapes below: probing alone, as between Prometheus's scrapes.
    const rssSteady = rssMiB(sidecar.pid);
    const delayAfter = buckets(await metrics(), 'redis_health_schedule_delay_seconds');
    const render = await timeScrapes(`${sidecar.url}/metrics`, 20);
    rows.push({
      targets: size,
      up: await upCount(),
      rssSteadyMiB: round(rssSteady, 1),
      rssMiB: round(rssMiB(sidecar.pid), 1),
      cpuPercentOfOneCore: round(cpuShare * 100, 1),
      scheduleDelayP99Ms: bucketQuantile(delayBefore, delayAfter, 0.99) * 1000,
      metricsMs: render,
      metricsLines: (await metrics()).split('\n').length,
    });
    process.kill(sidecar.pid, 'SIGKILL');
  }
  return { windowMs, rows };
}
