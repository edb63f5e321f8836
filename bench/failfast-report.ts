// BENCHMARKS.md section 9: the failfast step.
import type { failfast } from './failfast';
import { table, verdict } from './report';

type Failfast = Awaited<ReturnType<typeof failfast>>;

const LABELS = {
  none: 'no breaker',
  own: "the app's own breaker (5 failures, 60 s, 2 successes)",
  watch: "following the sidecar's /watch",
};

export function renderFailfast(ff: Failfast): string[] {
  const { plan, probe, variants, callback, watchers: w } = ff;
  const watch = variants.watch!;
  const backBound = probe.intervalMs + 200;
  const addedCpu = w.watched.cpuPercent - w.none.cpuPercent;
  return [
    '## 9. Failing fast on the breaker (`/watch`)',
    '',
    `A small app (Node HTTP + ioredis, 1 s command timeout, a fallback answer on error) under ` +
      `${plan.rps} requests a second, open loop; its Redis is SIGSTOPped ${plan.warmMs / 1000} s ` +
      `in, for ${plan.outageMs / 1000} s; the load goes on until the app is back on Redis or ` +
      `${plan.tailMs / 1000} s after Redis resumed. The sidecar probes every ${probe.intervalMs} ms ` +
      `(timeout ${probe.timeoutMs} ms, failureThreshold ${probe.failures}, recoveryTimeout ` +
      `${probe.recoveryMs} ms); it notices a hang within ${ff.detectBoundMs} ms. The app's own ` +
      "breaker is this repository's breaker module (`src/breaker`) in the app, with the seeds' defaults.",
    '',
    table(
      [
        'app',
        'requests',
        'waited ≥ 1 s',
        'of them after detection',
        'outage p50 / p99',
        'back on Redis after',
      ],
      Object.entries(variants).map(([name, v]) => [
        LABELS[name as keyof typeof LABELS],
        v.requests,
        v.waitedOneSecond,
        v.slowPastDetection,
        `${v.outage.p50} / ${v.outage.p99} ms`,
        v.backOnRedisMs === null ? `> ${v.tailMs / 1000} s` : `${v.backOnRedisMs} ms`,
      ]),
    ),
    '',
    `Goals with /watch: no request waits past the detection bound (${watch.slowPastDetection}: ` +
      `${verdict(watch.slowPastDetection === 0)}); back on Redis within one interval + 200 ms ` +
      `(${watch.backOnRedisMs ?? '—'} ms of ${backBound}: ` +
      `${verdict(watch.backOnRedisMs !== null && watch.backOnRedisMs <= backBound)}); from the ` +
      `sidecar's transition to the client's callback p50 ${callback.p50} ms, p99 ${callback.p99} ms ` +
      `over ${callback.count} transitions (goal p99 < 50 ms: ${verdict(callback.p99 < 50)}).`,
    '',
    `What /watch readers cost: ${w.targets} targets probed every second (one in ten on a closed ` +
      `port, flapping open and half-open: a steady stream of events), measured over ` +
      `${w.windowMs / 1000} s with no reader, then with ${w.readers}.`,
    '',
    table(
      ['readers', 'sidecar CPU (% of one core)', 'RSS start → end', 'events delivered'],
      [
        [0, `${w.none.cpuPercent} %`, `${w.none.rssMiB.start} → ${w.none.rssMiB.end} MiB`, '—'],
        [
          w.readers,
          `${w.watched.cpuPercent} %`,
          `${w.watched.rssMiB.start} → ${w.watched.rssMiB.end} MiB`,
          w.eventsDelivered,
        ],
      ],
    ),
    '',
    `Goals: readers add under 5 % CPU (${addedCpu.toFixed(1)} points: ${verdict(addedCpu < 5)}); ` +
      `no memory growth per event (${w.rssGrowthBytesPerEvent ?? '—'} bytes of RSS per event beyond ` +
      `the growth without readers: ${verdict((w.rssGrowthBytesPerEvent ?? 0) < 64)}).`,
    '',
  ];
}
