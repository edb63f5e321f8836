// BENCHMARKS.md section 9: the failfast step.
import type { failfast } from './failfast';
import type { watchCost } from './watch-cost';
import { table, verdict } from './report';

type Failfast = Awaited<ReturnType<typeof failfast>>;

const LABELS = {
  none: 'no breaker',
  own: "the app's own breaker (5 failures, 60 s, 2 successes)",
  watch: "following the sidecar's /watch",
};

export function renderFailfast(ff: Failfast, w: Awaited<ReturnType<typeof watchCost>>): string[] {
  const { plan, probe, variants, callback } = ff;
  const watch = variants.watch!;
  const backBound = probe.intervalMs + 200;
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
    `What /watch readers cost: ${w.targets} targets probed every second, ${w.windowMs / 1000} s ` +
      `windows with no reader, then two with ${w.readers}; quiet (nothing changes: heartbeats ` +
      'only) and in a storm (one target in ten on a closed port, flapping open and half-open ' +
      'every second).',
    '',
    table(
      [
        'load',
        'CPU, no reader',
        `CPU, ${w.readers} readers`,
        'added',
        'probes/s (no reader; readers)',
        'RSS (readers: 1st → 2nd window)',
        'events delivered',
        'RSS growth per event',
      ],
      (['quiet', 'storm'] as const).map((load) => {
        const run = w[load];
        return [
          load,
          `${run.none.cpuPercent} %`,
          `${run.watched.cpuPercent} / ${run.again.cpuPercent} %`,
          `${run.addedCpuPoints} points`,
          `${run.none.probesPerSecond}; ${run.watched.probesPerSecond} / ${run.again.probesPerSecond}`,
          `${run.none.rssMiB} MiB (${run.watched.rssMiB} → ${run.again.rssMiB})`,
          run.watched.events + run.again.events,
          run.rssGrowthBytesPerEvent === null ? '—' : `${run.rssGrowthBytesPerEvent} B`,
        ];
      }),
    ),
    '',
    `Goals: ${w.readers} readers add under 5 % of a core (quiet ${w.quiet.addedCpuPoints}: ` +
      `${verdict(w.quiet.addedCpuPoints < 5)}; storm ${w.storm.addedCpuPoints}: ` +
      `${verdict(w.storm.addedCpuPoints < 5)}); no memory growth per event in the storm ` +
      `(${w.storm.rssGrowthBytesPerEvent ?? '—'} B: ${verdict((w.storm.rssGrowthBytesPerEvent ?? 0) < 64)}; RSS moves by pages, so a ` +
      'short run of few events says little).',
    '',
  ];
}
