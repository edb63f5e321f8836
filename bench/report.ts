// BENCHMARKS.md from the measured numbers: one table per goal, each row saying met or missed.
import type { accuracy, costOnRedis, detection, scale, scrapeLatency } from './scenarios';
import type { checkCost } from './check-cost';
import type { memoryLimit } from './memory-limit';
import type { starved } from './starved';
import type { failfast } from './failfast';
import type { watchCost } from './watch-cost';
import type { idle } from './idle';
import { renderFailfast } from './failfast-report';

interface Results {
  context: Record<string, string>;
  scrapeLatency: Awaited<ReturnType<typeof scrapeLatency>>;
  detection: Awaited<ReturnType<typeof detection>>;
  costOnRedis: Awaited<ReturnType<typeof costOnRedis>>;
  accuracy: Awaited<ReturnType<typeof accuracy>>;
  scale: Awaited<ReturnType<typeof scale>>;
  starved: Awaited<ReturnType<typeof starved>>;
  checkCost: Awaited<ReturnType<typeof checkCost>>;
  memoryLimit: Awaited<ReturnType<typeof memoryLimit>>;
  failfast: Awaited<ReturnType<typeof failfast>>;
  watchCost: Awaited<ReturnType<typeof watchCost>>;
  idle: Awaited<ReturnType<typeof idle>>;
}

export const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
export const table = (header: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

export function renderReport(r: Results): string {
  const {
    context: c,
    scrapeLatency: s,
    detection: d,
    costOnRedis: cost,
    accuracy: a,
    scale: sc,
    starved: st,
    checkCost: cc,
    memoryLimit: ml,
  } = r;
  const exporter = s.healthy.exporter;
  const big = sc.rows.at(-1)!;
  const parts = [
    '# Benchmarks',
    '',
    `Measured ${c.date} with \`${c.command}\` (${c.mode} mode) on ${c.machine}; Node ${c.node}, ` +
      `redis-health-sidecar ${c.sidecar}, Redis ${c.redis}, prometheus-redis-exporter ${c.exporter}. ` +
      'Everything runs on this one machine over loopback, the sidecar and the exporter side by ' +
      'side in the same run, so compare ratios more than absolute times. The numbers are also in ' +
      '`BENCHMARKS.json`.',
    '',
    '## 1. Scrape latency of `/metrics`',
    '',
    table(
      ['Redis', 'sidecar p50', 'sidecar p99', 'exporter p50', 'exporter p99', 'goal', ''],
      [
        [
          'healthy',
          `${s.healthy.sidecar.p50} ms`,
          `${s.healthy.sidecar.p99} ms`,
          exporter ? `${exporter.p50} ms` : '—',
          exporter ? `${exporter.p99} ms` : '—',
          'sidecar p50 ≤ exporter p50',
          exporter ? verdict(s.healthy.sidecar.p50 <= exporter.p50) : 'no exporter',
        ],
        [
          'hung (SIGSTOP)',
          `${s.hung.sidecar.p50} ms`,
          `${s.hung.sidecar.p99} ms`,
          s.hung.exporter ? `${s.hung.exporter.gaveUp ? '> ' : ''}${s.hung.exporter.p50} ms` : '—',
          s.hung.exporter ? `${s.hung.exporter.gaveUp ? '> ' : ''}${s.hung.exporter.p99} ms` : '—',
          'sidecar p99 < 10 ms',
          verdict(s.hung.sidecar.p99 < 10),
        ],
      ],
    ),
    '',
    `${s.healthy.sidecar.count} sequential scrapes each over a keep-alive connection; the hung ` +
      `exporter was scraped ${s.hung.exporter?.count ?? 0} times at once (each waits for its connection timeout` +
      `${s.hung.exporter?.gaveUp ? '; the benchmark stopped waiting, hence ">"' : ''}).`,
    '',
    '## 2. Detection and recovery (`/readyz/NAME`)',
    '',
    `interval ${d.settings.interval} ms, timeout ${d.settings.timeout} ms, failureThreshold ` +
      `${d.settings.failures}, recoveryTimeout ${d.settings.recovery} ms, successThreshold ` +
      `${d.settings.successes}; worst of ${d.rounds} round(s). Goal: within the bound plus one interval.`,
    '',
    table(
      ['fault', '503 after', 'bound', '200 again after', 'bound', 'goal'],
      d.results.map((row) => [
        row.fault,
        `${row.detectMs} ms`,
        `${row.detectBoundMs} ms`,
        `${row.recoverMs} ms`,
        `${row.recoverBoundMs} ms`,
        verdict(row.withinBounds),
      ]),
    ),
    '',
    '## 3. Cost on Redis',
    '',
    `From Redis's own \`INFO commandstats\` and \`INFO stats\` over ${cost.windowMs / 1000} s of steady state. ` +
      'The sidecar probed every 250 ms with INFO every 7.5 s and a fresh connection every 15 s (one INFO ' +
      'per 30 probes and one connect check per 60, as with a 1 s interval and the default 30 s infoInterval ' +
      'and 1 m connectCheck); the exporter was scraped every second. A connect check is one new ' +
      "connection with CLIENT SETNAME, PING and QUIT. At the sidecar's defaults (5 s interval, INFO every " +
      '30 s, connectCheck 1 m) a probe costs 1 + 1/6 + 3/12 ≈ 1.42 commands on average, and a target one new ' +
      'connection a minute.',
    '',
    table(
      ['', 'observations', 'commands each', 'new connections each', 'goal'],
      [
        [
          'sidecar (probe)',
          cost.sidecar.probes,
          cost.sidecar.commandsPerProbe,
          cost.sidecar.newConnectionsPerProbe,
          `≤ 1.10 commands, one connection per connect check (${cost.sidecar.newConnections} for ${cost.sidecar.connectChecksDue} due): ${verdict(cost.sidecar.commandsPerProbe <= 1.1 && Math.abs(cost.sidecar.newConnections - cost.sidecar.connectChecksDue) <= 1)}`,
        ],
        cost.exporter
          ? [
              'exporter (scrape)',
              cost.exporter.scrapes,
              cost.exporter.commandsPerScrape,
              cost.exporter.newConnectionsPerScrape,
              '—',
            ]
          : ['exporter', 'not installed', '—', '—', '—'],
      ],
    ),
    '',
    '## 4. Measurement accuracy',
    '',
    `A raw socket sends PING once a second to the same Redis while the sidecar probes it once a ` +
      `second, for ${a.seconds} s: the socket's round trip is the floor, from its write to the reply.`,
    '',
    table(
      ['', 'average round trip', 'samples', 'goal'],
      [
        [
          'raw socket, PING every 1 s',
          `${a.rawSocket.avgMs} ms (p50 ${a.rawSocket.p50Ms})`,
          a.rawSocket.samples,
          '',
        ],
        [
          'sidecar probe (histogram sum / count)',
          `${a.sidecar.avgMs} ms`,
          a.sidecar.probes,
          `within 1.15×: ${a.ratio}× ${verdict(a.ratio <= 1.15)}`,
        ],
      ],
    ),
    '',
    '## 5. Footprint and scale (every target probed every second)',
    '',
    table(
      [
        'targets',
        'up',
        'RSS steady / after scrapes',
        'CPU (% of one core)',
        'schedule delay p99',
        '/metrics p50 / p99',
        'lines',
      ],
      sc.rows.map((row) => [
        row.targets,
        row.up,
        `${row.rssSteadyMiB} / ${row.rssMiB} MiB`,
        `${row.cpuPercentOfOneCore} %`,
        `≤ ${row.scheduleDelayP99Ms} ms`,
        `${row.metricsMs.p50} / ${row.metricsMs.p99} ms`,
        row.metricsLines,
      ]),
    ),
    '',
    `Goals at 1000 targets: RSS < 128 MiB, CPU < 30 %, schedule delay p99 < 20 ms, /metrics < 50 ms. ` +
      (big.targets === 1000
        ? `Here: RSS ${verdict(Math.max(big.rssMiB, big.rssSteadyMiB) < 128)}, CPU ${verdict(big.cpuPercentOfOneCore < 30)}, ` +
          `delay ${verdict(big.scheduleDelayP99Ms < 20)}, /metrics ${verdict(big.metricsMs.p99 < 50)}.`
        : 'The quick mode stops at 100 targets; run `npm run bench` for 1000.') +
      ' RSS is read at the end of the window (probing alone) and again after the 20 timed ' +
      'scrapes; the goal is judged on the larger, /metrics on p99.' +
      ` Schedule delay is read from the sidecar's own \`redis_health_schedule_delay_seconds\` ` +
      `histogram (so the upper bound of a bucket); CPU over ${sc.windowMs / 1000} s from /proc.`,
    '',
    ...renderStarved(st),
    ...renderCheckCost(cc),
    ...renderMemoryLimit(ml),
    ...renderFailfast(r.failfast, r.watchCost),
    ...renderIdle(r.idle),
  ];
  return parts.join('\n');
}

/** 10. One target, nothing happening: what a sidecar in every pod costs beside the exporter. */
function renderIdle(idle: Results['idle']): string[] {
  const row = (name: string, run: { cpuSecondsPerHour: number; wakeupsPerSecond: number }) => [
    name,
    `${run.cpuSecondsPerHour} CPU-s`,
    run.wakeupsPerSecond,
  ];
  return [
    '',
    '## 10. Idle (one target at the defaults, in every pod)',
    '',
    `One healthy Redis watched by the sidecar at its defaults and by the exporter, both scraped ` +
      `every 15 s, over ${idle.windowSeconds} s in the same window. CPU from the kernel's ` +
      'per-thread schedstat, wake-ups from the context switches of all threads, both per second ' +
      'of the window scaled to an hour.',
    '',
    table(
      ['', 'CPU per hour', 'wake-ups per second'],
      [row('sidecar', idle.sidecar), ...(idle.exporter ? [row('exporter', idle.exporter)] : [])],
    ),
    '',
    idle.ratio === null
      ? 'The exporter is not installed: no ratio.'
      : `Sidecar / exporter: ${idle.ratio}× (goal ≤ ${idle.goalRatio}×: ${verdict(idle.goalMet === true)}).`,
  ];
}

/** 6. The sidecar short of CPU beside a healthy Redis: every failure it reports is a false one. */
function renderStarved(st: Results['starved']): string[] {
  const unstarved = st.rows[0]?.latencyP50Ms;
  const clean = st.rows.every(
    (row) => row.falseFailures === 0 && row.trips === 0 && row.readyz503Seconds === 0,
  );
  const hang = st.hang;
  return [
    '## 6. Starved of CPU',
    '',
    `Redis is healthy throughout (pinned to its own core); the sidecar probes every ` +
      `${st.settings.interval} ms with a ${st.settings.timeout} ms timeout and failureThreshold ` +
      `${st.settings.failureThreshold}, all targets up before the pressure starts, then ` +
      `${st.settings.windowMs / 1000} s under it with a scrape every 5 s and /readyz and /healthz ` +
      `polled every 250 ms. Pressure: ${st.cgroups}. Goals: no false failures, no trips, no ` +
      'second unready, /healthz always 200.',
    '',
    table(
      [
        'situation',
        'targets',
        'probes (due)',
        'false failures',
        'inconclusive',
        'trips',
        '/readyz 503',
        '/healthz 500',
        'latency p50',
        'slowest scrape',
      ],
      st.rows.map((row) => [
        row.situation,
        row.targets,
        `${row.probes} (${row.due})`,
        row.falseFailures,
        row.inconclusive,
        row.trips,
        `${row.readyz503Seconds} s`,
        `${row.healthz500Seconds} s`,
        row.latencyP50Ms === null ? '—' : `${row.latencyP50Ms} ms`,
        `${row.slowestScrapeMs} ms`,
      ]),
    ),
    '',
    `All starved situations free of false failures, trips and unready seconds: ${verdict(clean)}. ` +
      `Latency p50 unstarved: ${unstarved ?? '—'} ms (the histogram interpolated within its bucket).`,
    '',
    hang === null
      ? 'A real hang under a CPU quota needs a writable cgroup; not measured here.'
      : `A real hang (Redis SIGSTOPped) under the 5 % quota with ${hang.targets} targets: /readyz ` +
        `503 after ${hang.detectedMs ?? 'never'} ms; bound ${hang.boundMs} ms, goal within ` +
        `${hang.limitMs} ms: ${verdict(hang.detectedMs !== null && hang.detectedMs <= hang.limitMs)}.`,
    '',
    `Start-up with ${st.startup.targets} targets (timeout 500 ms, no pressure), first ` +
      `${st.startup.seconds} s: ${st.startup.probes} probes, ${st.startup.falseFailures} false ` +
      `failures, ${st.startup.inconclusive} inconclusive, ${st.startup.targetsAnswered} targets ` +
      `answered: ${verdict(st.startup.falseFailures === 0 && st.startup.targetsAnswered === st.startup.targets)}.`,
    '',
  ];
}

function renderCheckCost(cc: Results['checkCost']): string[] {
  const base = cc.rows[0];
  const minutes = (cc.windowMs * cc.speedup) / 60_000;
  return [
    '## 7. What each check costs Redis',
    '',
    `Commands and new connections per target per minute at the default intervals (probe 5 s, INFO ` +
      `30 s, connectCheck 1 m), counted by the servers themselves (\`INFO stats\`: ` +
      `total_commands_processed, total_connections_received, on every server of the situation: the ` +
      `sentinels and all cluster nodes too). Each situation ran ${cc.speedup}× faster for ` +
      `${cc.windowMs / 1000} s (${minutes} minutes at the defaults); what the servers did among ` +
      'themselves in a window before the sidecar started (sentinel hellos, replica acks) is taken off.',
    '',
    table(
      ['situation', 'commands / min', 'connections / min', 'added to PING + INFO'],
      cc.rows.map((row) => [
        row.name,
        row.commandsPerMinute,
        row.connectionsPerMinute,
        row === base || base === undefined
          ? '—'
          : `${round1(row.commandsPerMinute - base.commandsPerMinute)} commands, ${row.connectionsPerMinute} connections`,
      ]),
    ),
    '',
    'The cluster row is a whole cluster probe (CLUSTER INFO to one node, PING to each of the 3 ' +
      'masters, CLUSTER NODES on the INFO schedule) over all six nodes, so its "added" column ' +
      'compares it with a single server, not with a cluster without checks.',
    '',
  ];
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** 8. The smallest memory limit that holds, as Kubernetes sets one; four shards of 4000 targets. */
function renderMemoryLimit(ml: Results['memoryLimit']): string[] {
  const title = '## 8. Memory limit (as Kubernetes sets one)';
  if (!ml.measured) return [title, '', `${ml.why}.`, ''];
  const sh = ml.shards;
  const shardsOk =
    sh.rows.every((row) => row.held) &&
    sh.unionTargets === sh.targets &&
    sh.listedTwice === 0 &&
    sh.unionSeries === sh.targets &&
    sh.seriesTwice === 0;
  return [
    title,
    '',
    'Each size ran in a fresh cgroup v1 memory group (start-up charged too), every target probed ' +
      `each second and /metrics scraped each second for ${ml.holdMs / 1000} s after all were up, ` +
      `with the image's environment (\`${ml.imageEnv}\`); a limit holds when nothing was ` +
      'OOM-killed, every scrape was answered and no probe failed (Redis is healthy throughout). ' +
      'The limits tried are bisected on a ladder (every 8 MiB from 24 to 112, then 128, 160, … ' +
      '512 MiB), so the answer is the smallest rung that held. Goal: 1000 targets in 64 MiB ' +
      'with /metrics under 50 ms.',
    '',
    table(
      [
        'node',
        'targets',
        'smallest limit that held',
        'charged at most',
        '/metrics p50 / worst',
        'all up after',
        'tried (MiB: outcome)',
        'goal',
      ],
      ml.sizes.map((row) => [
        row.node,
        row.targets,
        row.limitMiB === null ? 'none up to 512 MiB' : `${row.limitMiB} MiB`,
        row.chargedMaxMiB === null ? '—' : `${row.chargedMaxMiB} MiB`,
        row.metricsWorstMs === null ? '—' : `${row.metricsP50Ms} / ${row.metricsWorstMs} ms`,
        row.allProbedMs === null ? '—' : `${(row.allProbedMs / 1000).toFixed(1)} s`,
        row.tried,
        row.targets === 1000
          ? verdict(
              row.limitMiB !== null && row.limitMiB <= 64 && (row.metricsWorstMs ?? Infinity) < 50,
            )
          : '',
      ]),
    ),
    '',
    'The floor under those numbers: the same 1000 targets as bare ioredis clients with the ' +
      "sidecar's connection options, each sending PING every second, beside the packages the " +
      'sidecar loads and its config loaded (`bench/ioredis-floor.ts`), and nothing else. It ' +
      'holds when no PING failed after all were connected. What a limit needs above it is the ' +
      "sidecar's own: its state, the history, /metrics and the scrapes.",
    '',
    table(
      ['node', 'clients', 'smallest limit that held', 'charged at most', 'tried (MiB: outcome)'],
      ml.floor.map((row) => [
        row.node,
        row.targets,
        row.limitMiB === null ? 'none up to 512 MiB' : `${row.limitMiB} MiB`,
        row.chargedMaxMiB === null ? '—' : `${row.chargedMaxMiB} MiB`,
        row.tried,
      ]),
    ),
    '',
    `Four shards (\`--shard N --total-shards ${sh.total}\`) of one ${sh.targets}-target file, side by side, ` +
      `each in ${sh.limitMiB} MiB (one rung above what held 1000 targets alone):`,
    '',
    table(
      [
        'shard',
        'held',
        'targets',
        'charged at most',
        'false failures',
        '/metrics p50 / worst',
        'all up after',
      ],
      sh.rows.map((row) => [
        row.shard,
        row.held ? 'yes' : `no (${row.why})`,
        row.targets,
        `${row.chargedMaxMiB} MiB`,
        row.falseFailures === 0 ? 0 : `${row.falseFailures} (${row.failedAs})`,
        `${row.metricsP50Ms} / ${row.metricsWorstMs} ms`,
        row.allProbedMs === null ? '—' : `${(row.allProbedMs / 1000).toFixed(1)} s`,
      ]),
    ),
    '',
    `Union of the shards' \`/targets\`: ${sh.unionTargets} distinct, ${sh.listedTwice} listed twice; ` +
      `union of their \`redis_health_target_info\` series: ${sh.unionSeries} distinct, ${sh.seriesTwice} twice. ` +
      `Goal: exactly ${sh.targets}, none twice, every shard held: ${verdict(shardsOk)}.`,
    '',
  ];
}
