// Bench step `watchCost`: what /watch readers cost the sidecar, with nothing changing
// (heartbeats only) and in a storm of changes (one target in ten flapping).
import { request, type ClientRequest } from 'node:http';
import { cpuSeconds, round, rssMiB, sampleSum, timedGet } from './measure';
import { sleep, startRedis, startSidecar, type RedisProcess } from './processes';
import type { Mode } from './scenarios';

export async function watchCost({ quick }: Mode) {
  const plan = {
    targets: quick ? 200 : 1000,
    readers: quick ? 20 : 100,
    windowMs: quick ? 8000 : 30_000,
  };
  const redis = await startRedis();
  const quiet = await underReaders(redis, plan, false);
  const storm = await underReaders(redis, plan, true);
  await redis.stop();
  return { ...plan, quiet, storm };
}

async function underReaders(
  redis: RedisProcess,
  plan: { targets: number; readers: number; windowMs: number },
  flapping: boolean,
) {
  const lines = Array.from({ length: plan.targets }, (_, i) =>
    flapping && i % 10 === 0
      ? `  - { name: t${i}, url: 'redis://127.0.0.1:1/0', required: false }`
      : `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/0' }`,
  );
  const sidecar = await startSidecar(
    'listen: 127.0.0.1:0\ndefaults: { interval: 1s, timeout: 250ms, connectCheck: 0, ' +
      `breaker: { failureThreshold: 3, recoveryTimeout: 1s } }\ntargets:\n${lines.join('\n')}\n`,
  );
  await sleep(Math.max(8000, plan.windowMs / 2)); // past start-up: steady states compared
  // Probes completed, from the sidecar's own counter: readers must not slow probing.
  const probes = async () =>
    sampleSum((await timedGet(`${sidecar.url}/metrics`)).body, 'redis_health_probes_total');
  const window = async () => {
    const cpu = cpuSeconds(sidecar.pid);
    const before = { events, probes: await probes() };
    await sleep(plan.windowMs);
    const done = (await probes()) - before.probes;
    return {
      cpuPercent: round(((cpuSeconds(sidecar.pid) - cpu) / (plan.windowMs / 1000)) * 100, 1),
      rssMiB: round(rssMiB(sidecar.pid), 1),
      events: events - before.events,
      probesPerSecond: round(done / (plan.windowMs / 1000), 1),
    };
  };
  let events = 0;
  const none = await window();
  const streams: ClientRequest[] = Array.from({ length: plan.readers }, () =>
    request(`${sidecar.url}/watch`, (res) =>
      res.on('data', (chunk: Buffer) => (events += chunk.toString().split('event: ').length - 1)),
    ).end(),
  );
  await sleep(2000);
  const watched = await window();
  // A second window with the readers: memory that grows with events would grow on here.
  const again = await window();
  for (const stream of streams) stream.destroy();
  process.kill(sidecar.pid, 'SIGKILL');
  const grownBytes = (again.rssMiB - watched.rssMiB) * 2 ** 20;
  return {
    none,
    watched,
    again,
    addedCpuPoints: round((watched.cpuPercent + again.cpuPercent) / 2 - none.cpuPercent, 1),
    rssGrowthBytesPerEvent: again.events === 0 ? null : round(grownBytes / again.events, 2),
  };
}
