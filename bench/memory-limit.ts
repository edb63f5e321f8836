// The memory limit the sidecar needs, as Kubernetes sets one: the smallest cgroup v1 memory
// limit that holds N targets probed every second, scraped every second, without an OOM kill and
// without a false failure; and four shards of 4000 targets, each inside such a limit.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { IMAGE_ENV, memoryGroupsWritable, startLimited, type Charge } from './memory-group';
import { percentile, round, sampleSum, timedGet } from './measure';
import { sidecarMain, sleep, startRedis, writeConfig, type RedisProcess } from './processes';
import type { Mode } from './scenarios';

/** The limits tried, in MiB: the answer is one of these. */
const LADDER = [
  24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 128, 160, 192, 256, 320, 384, 512,
];

interface Held {
  limitMiB: number;
  held: boolean;
  /** Why it did not hold: `OOM-killed`, `exited`, `never all up`, `2 scrapes failed`, `false failures`. */
  why: string;
  chargedMaxMiB: number;
  oomKills: number;
  /** Probes that failed though Redis was healthy all along. */
  falseFailures: number;
  /** The same, by result (`timeout: 12, refused: 1`), to tell a stall from a real fault. */
  failedAs: string;
  metricsWorstMs: number;
  metricsP50Ms: number;
  /** From start to every target probed once; null when it never got there. */
  allProbedMs: number | null;
  targets: string[];
  targetInfoSeries: string[];
}

/**
 * Runs one sidecar in a fresh memory group limited to `limitMiB` for `holdMs` after all its
 * targets were probed, scraping /metrics every second as Prometheus would at a 1 s interval. A
 * scrape that fails in that time (a sidecar thrashing at its limit answers none) means the limit
 * does not hold.
 */
async function holds(
  node: string,
  args: string[],
  limitMiB: number,
  holdMs: number,
): Promise<Held> {
  const run = startLimited(limitMiB, [node, sidecarMain, ...args]);
  const started = Date.now();
  let url = '';
  let allProbedMs: number | null = null;
  const scrapeMs: number[] = [];
  let scrapesFailed = 0;
  let last = '';
  const deadline = started + 60_000 + holdMs;
  let holdUntil = Infinity;
  while (!run.exited() && Date.now() < Math.min(deadline, holdUntil)) {
    await sleep(1000);
    if (url === '') {
      const port = /"listen":"[^"]*:(\d+)"/.exec(run.output())?.[1];
      if (port !== undefined) url = `http://127.0.0.1:${port}`;
      continue;
    }
    const scrape = await timedGet(`${url}/metrics`, 10_000);
    if (scrape.status !== 200) {
      if (allProbedMs !== null) scrapesFailed += 1;
      continue;
    }
    last = scrape.body;
    if (allProbedMs === null) {
      const count = sampleSum(last, 'redis_health_target_info');
      if (count > 0 && sampleSum(last, 'redis_health_up') >= count) {
        allProbedMs = Date.now() - started;
        holdUntil = Date.now() + holdMs;
      }
      continue;
    }
    scrapeMs.push(scrape.ms);
  }
  const exited = run.exited();
  const targets = !exited && allProbedMs !== null ? await discovered(url) : [];
  const charge = await run.finish();
  const counted = failures(last);
  const why = whyNot(
    charge,
    exited,
    allProbedMs !== null,
    scrapesFailed > 0
      ? `${scrapesFailed} scrapes failed`
      : counted.falseFailures > 0
        ? 'false failures'
        : '',
  );
  return {
    limitMiB,
    held: why === '',
    why,
    ...charge,
    ...counted,
    metricsWorstMs: round(Math.max(0, ...scrapeMs), 1),
    metricsP50Ms: round(percentile(scrapeMs, 0.5) || 0, 1),
    allProbedMs,
    targets,
    targetInfoSeries: [...last.matchAll(/^redis_health_target_info\{[^}]*target="([^"]+)"/gm)].map(
      (match) => match[1]!,
    ),
  };
}

/**
 * The floor under the sidecar's memory: the same targets as bare ioredis clients with its
 * connection options (bench/ioredis-floor.ts), each pinging every second. Holds when every PING
 * of every round after all were up succeeded, with no OOM kill.
 */
async function floorHolds(
  node: string,
  config: string,
  limitMiB: number,
  holdMs: number,
): Promise<Pick<Held, 'limitMiB' | 'held' | 'why' | 'chargedMaxMiB' | 'oomKills'>> {
  const run = startLimited(limitMiB, [node, join(__dirname, 'ioredis-floor.js'), config]);
  const rounds = () =>
    run
      .output()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { ok: number; failed: number });
  const deadline = Date.now() + 60_000 + holdMs;
  let upAt: number | undefined;
  while (!run.exited() && Date.now() < deadline) {
    await sleep(1000);
    const done = rounds();
    upAt ??= done.some((r) => r.failed === 0 && r.ok > 0) ? done.length : undefined;
    if (upAt !== undefined && done.length >= upAt + holdMs / 1000) break;
  }
  const exited = run.exited();
  const charge = await run.finish();
  const failed =
    upAt !== undefined &&
    rounds()
      .slice(upAt)
      .some((r) => r.failed > 0);
  const why = whyNot(charge, exited, upAt !== undefined, failed ? 'pings failed' : '');
  return { limitMiB, held: why === '', why, ...charge };
}

/** Why a run did not hold, the first that applies; '' when it held. */
function whyNot(charge: Charge, exited: boolean, allUp: boolean, trouble: string): string {
  if (charge.oomKills > 0) return 'OOM-killed';
  if (exited) return 'exited';
  if (!allUp) return 'never all up';
  return trouble;
}

/** Probes that failed: every target's Redis is healthy here, so each one is a false failure. */
function failures(metrics: string): Pick<Held, 'falseFailures' | 'failedAs'> {
  const byResult = new Map<string, number>();
  for (const [, result = '', value] of metrics.matchAll(
    /^redis_health_probes_total\{[^}]*result="([^"]+)"[^}]*\} (\S+)/gm,
  )) {
    if (result === 'ok' || result === 'inconclusive' || Number(value) === 0) continue;
    byResult.set(result, (byResult.get(result) ?? 0) + Number(value));
  }
  return {
    falseFailures: [...byResult.values()].reduce((sum, count) => sum + count, 0),
    failedAs: [...byResult].map(([result, count]) => `${result}: ${count}`).join(', '),
  };
}

/** The targets a sidecar lists for Prometheus's HTTP service discovery (GET /targets). */
async function discovered(url: string): Promise<string[]> {
  const reply = await timedGet(`${url}/targets`, 10_000);
  if (reply.status !== 200) return [];
  const groups = JSON.parse(reply.body) as Array<{ targets: string[] }>;
  return groups.flatMap((group) => group.targets);
}

function targetsConfig(redis: RedisProcess, count: number): string {
  const lines = Array.from(
    { length: count },
    (_, i) => `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/0' }`,
  );
  return [
    'listen: 127.0.0.1:0',
    'log: { level: info }',
    'defaults: { interval: 1s, timeout: 500ms }',
    'targets:',
    ...lines,
  ].join('\n');
}

/**
 * The smallest limit on the ladder that holds, bisected (holding is taken to be monotonic in the
 * limit) from a first guess: rungs at or below `low` failed, the rung at `high` held.
 */
async function smallestLimit<Run extends { held: boolean }>(
  attempt: (limitMiB: number) => Promise<Run>,
  guessMiB: number,
) {
  const tried: Run[] = [];
  const at = async (index: number) => {
    const run = await attempt(LADDER[index]!);
    tried.push(run);
    return run.held ? run : undefined;
  };
  const top = LADDER.length - 1;
  let low = -1;
  let high = Math.max(
    0,
    LADDER.findIndex((limit) => limit >= guessMiB),
  );
  let best = await at(high);
  if (best === undefined) {
    low = high;
    high = top;
    best = low === top ? undefined : await at(top);
    if (best === undefined) return { held: undefined, tried };
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const run = await at(middle);
    if (run === undefined) low = middle;
    else [high, best] = [middle, run];
  }
  return { held: best, tried };
}

/** How a size's tries went, for the report: `48: OOM-killed`, `56: held`. */
const triedAs = (tried: Array<{ limitMiB: number; why: string }>) =>
  tried.map(({ limitMiB, why }) => `${limitMiB}: ${why || 'held'}`).join(', ');

/** 8. The smallest memory limit for 1, 100 and 1000 targets, and 4 shards of 4000 targets. */
export async function memoryLimit({ quick }: Mode) {
  if (!memoryGroupsWritable()) {
    return {
      measured: false as const,
      why: 'no writable cgroup v1 memory controller at /sys/fs/cgroup/memory (needs root): not measured',
    };
  }
  const holdMs = quick ? 8_000 : 30_000;
  // BENCH_NODE names another Node binary to measure too (the image's Node 24, in CI).
  const nodes = [process.execPath, ...(process.env.BENCH_NODE ? [process.env.BENCH_NODE] : [])];
  const redis = await startRedis(['--maxclients', '12000']);
  const configs = new Map<number, string>();
  const configFor = (count: number) => {
    let file = configs.get(count);
    if (file === undefined) {
      file = writeConfig(targetsConfig(redis, count));
      configs.set(count, file);
    }
    return file;
  };
  const sizes = [];
  for (const node of nodes) {
    // 4000 in one process (what four shards share) only in the full run: it takes minutes.
    for (const targets of quick ? [1, 100, 1000] : [1, 100, 1000, 4000]) {
      const { held, tried } = await smallestLimit(
        (limitMiB) => holds(node, ['--config', configFor(targets)], limitMiB, holdMs),
        // The sizing rule of the README, so that a run usually needs three or four tries.
        48 + (targets * 64) / 1024,
      );
      sizes.push({
        node: nodeVersion(node),
        targets,
        limitMiB: held?.limitMiB ?? null,
        chargedMaxMiB: held?.chargedMaxMiB ?? null,
        metricsWorstMs: held?.metricsWorstMs ?? null,
        metricsP50Ms: held?.metricsP50Ms ?? null,
        allProbedMs: held?.allProbedMs ?? null,
        tried: triedAs(tried),
      });
    }
  }
  // What 1000 bare ioredis clients need on each runtime: the part of the sidecar's limit that
  // is Node, its packages and its Redis client, before any state of its own.
  const floor = [];
  for (const node of nodes) {
    const { held, tried } = await smallestLimit(
      (limitMiB) => floorHolds(node, configFor(1000), limitMiB, holdMs),
      56,
    );
    floor.push({
      node: nodeVersion(node),
      targets: 1000,
      limitMiB: held?.limitMiB ?? null,
      chargedMaxMiB: held?.chargedMaxMiB ?? null,
      tried: triedAs(tried),
    });
  }
  // Four shards of one 4000-target file, each in the limit that held 1000 targets on this
  // runtime (rounded up one rung), side by side on this machine.
  const total = 4;
  const perShard = sizes.find(
    (row) => row.node === nodeVersion(process.execPath) && row.targets === 1000,
  );
  const shardLimit =
    LADDER.find((limit) => limit > (perShard?.limitMiB ?? LADDER.at(-1)!)) ?? LADDER.at(-1)!;
  const config = configFor(4000);
  const shards = await Promise.all(
    Array.from({ length: total }, (_, shard) =>
      holds(
        process.execPath,
        ['--config', config, '--shard', String(shard), '--total-shards', String(total)],
        shardLimit,
        quick ? 10_000 : 30_000,
      ),
    ),
  );
  const union = shards.flatMap((shard) => shard.targets);
  const series = shards.flatMap((shard) => shard.targetInfoSeries);
  return {
    measured: true as const,
    imageEnv: Object.entries(IMAGE_ENV)
      .map(([name, value]) => `${name}=${value}`)
      .join(' '),
    holdMs,
    sizes,
    floor,
    shards: {
      total,
      targets: 4000,
      limitMiB: shardLimit,
      rows: shards.map((shard, index) => ({
        shard: index,
        held: shard.held,
        why: shard.why,
        targets: shard.targets.length,
        chargedMaxMiB: shard.chargedMaxMiB,
        oomKills: shard.oomKills,
        falseFailures: shard.falseFailures,
        failedAs: shard.failedAs,
        metricsWorstMs: shard.metricsWorstMs,
        metricsP50Ms: shard.metricsP50Ms,
        allProbedMs: shard.allProbedMs,
      })),
      unionTargets: new Set(union).size,
      listedTwice: union.length - new Set(union).size,
      unionSeries: new Set(series).size,
      seriesTwice: series.length - new Set(series).size,
    },
  };
}

function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() || node;
}
