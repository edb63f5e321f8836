// Part of bench step `failfast`: what /watch readers cost the sidecar.
import { request } from 'node:http';
import { cpuSeconds, round, rssMiB } from './measure';
import { sleep, startRedis, startSidecar } from './processes';

/** What /watch readers cost: 1000 targets (100 of them flapping), with none and with 100 readers. */
export async function watchCost(quick: boolean) {
  const redis = await startRedis();
  const count = quick ? 200 : 1000;
  const readers = quick ? 20 : 100;
  const windowMs = quick ? 8000 : 30_000;
  const lines = Array.from({ length: count }, (_, i) =>
    i % 10 === 0
      ? `  - { name: t${i}, url: 'redis://127.0.0.1:1/0', required: false }`
      : `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/0' }`,
  );
  const sidecar = await startSidecar(
    `listen: 127.0.0.1:0\ndefaults: { interval: 1s, timeout: 250ms, breaker: { failureThreshold: 3, recoveryTimeout: 1s } }\ntargets:\n${lines.join('\n')}\n`,
  );
  // Past start-up, so the windows compare steady states.
  await sleep(quick ? 5000 : 15_000);
  const measure = async () => {
    const cpu = cpuSeconds(sidecar.pid);
    const rss = rssMiB(sidecar.pid);
    await sleep(windowMs);
    return {
      cpuPercent: round(((cpuSeconds(sidecar.pid) - cpu) / (windowMs / 1000)) * 100, 1),
      rssMiB: { start: round(rss, 1), end: round(rssMiB(sidecar.pid), 1) },
    };
  };
  const none = await measure();
  let events = 0;
  const streams = Array.from({ length: readers }, () =>
    request(`${sidecar.url}/watch`, (res) =>
      res.on('data', (chunk: Buffer) => (events += chunk.toString().split('\nevent: ').length - 1)),
    ).end(),
  );
  await sleep(2000);
  const eventsBefore = events;
  const watched = await measure();
  for (const stream of streams) stream.destroy();
  const delivered = events - eventsBefore;
  // What readers add beyond the drift the same sidecar shows without them.
  const growth = ({ rssMiB }: typeof none) => rssMiB.end - rssMiB.start;
  const grownBytes = Math.max(0, growth(watched) - growth(none)) * 2 ** 20;
  await redis.stop();
  return {
    targets: count,
    readers,
    windowMs,
    none,
    watched,
    eventsDelivered: delivered,
    rssGrowthBytesPerEvent: delivered === 0 ? null : round(grownBytes / delivered, 3),
  };
}
