// Bench step `idle`: what one sidecar watching one healthy Redis costs while nothing happens,
// beside prometheus-redis-exporter watching the same Redis in the same window. Both are
// scraped every 15 s, as Prometheus does by default. CPU comes from the kernel's per-thread
// schedstat (nanoseconds), wake-ups from the threads' context switches.
import { round, threadUsage, timedGet } from './measure';
import {
  exporterInstalled,
  sleep,
  startExporter,
  startRedis,
  startSidecar,
  type Sidecar,
} from './processes';
import type { Mode } from './scenarios';

/** The goal of issue 26: at most this many times the exporter's CPU per hour. */
const GOAL_RATIO = 3;
const SCRAPE_EVERY_MS = 15_000;

export async function idle({ quick }: Mode) {
  const windowMs = quick ? 30_000 : 180_000;
  const redis = await startRedis();
  const url = `redis://127.0.0.1:${redis.port}`;
  const watched: Array<[string, Sidecar]> = [
    ['sidecar', await startSidecar(`targets:\n  - { name: main, url: '${url}' }\n`)],
  ];
  if (exporterInstalled()) watched.push(['exporter', await startExporter(redis.port)]);
  await sleep(5000); // past start-up
  const before = watched.map(([, process]) => threadUsage(process.pid));
  const started = Date.now();
  while (Date.now() - started < windowMs) {
    await Promise.all(watched.map(([, process]) => timedGet(`${process.url}/metrics`)));
    await sleep(Math.min(SCRAPE_EVERY_MS, windowMs - (Date.now() - started)));
  }
  const seconds = (Date.now() - started) / 1000;
  const result = Object.fromEntries(
    watched.map(([name, process], index) => {
      const after = threadUsage(process.pid);
      const cpuNs = after.cpuNs - (before[index]?.cpuNs ?? 0);
      const switches = after.switches - (before[index]?.switches ?? 0);
      return [
        name,
        {
          cpuSecondsPerHour: round((cpuNs / 1e9) * (3600 / seconds), 2),
          wakeupsPerSecond: round(switches / seconds, 1),
        },
      ];
    }),
  );
  await redis.stop();
  const sidecar = result.sidecar!.cpuSecondsPerHour;
  const exporter = result.exporter?.cpuSecondsPerHour;
  const ratio = exporter === undefined ? null : round(sidecar / exporter, 1);
  const goalMet = ratio === null ? null : ratio <= GOAL_RATIO;
  console.log(
    `idle: sidecar ${sidecar} CPU-s/h, ${result.sidecar!.wakeupsPerSecond} wake-ups/s; ` +
      (exporter === undefined
        ? 'exporter not installed'
        : `exporter ${exporter} CPU-s/h, ${result.exporter!.wakeupsPerSecond} wake-ups/s; ` +
          `${ratio}× (goal ≤ ${GOAL_RATIO}×: ${goalMet ? 'met' : 'not met'})`),
  );
  return {
    windowSeconds: round(seconds, 0),
    sidecar: result.sidecar!,
    exporter: result.exporter,
    ratio,
    goalRatio: GOAL_RATIO,
    goalMet,
  };
}
