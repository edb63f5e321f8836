// The memory limit the sidecar needs, as Kubernetes sets one: the smallest cgroup v1 memory
// limit that holds N targets probed every second, scraped every second, without an OOM kill and
// without a false failure; and four shards of 4000 targets, each inside such a limit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile, round, sampleSum, timedGet } from './measure';
import { sidecarMain, sleep, startRedis, track, writeConfig, type RedisProcess } from './processes';
import type { Mode } from './scenarios';

const MEMORY = '/sys/fs/cgroup/memory';
/** The V8 flags the image runs with (its `ENV NODE_OPTIONS=`), so the limit found is the image's. */
const IMAGE_NODE_OPTIONS =
  /^ENV NODE_OPTIONS=(.*)$/m.exec(
    readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8'),
  )?.[1] ?? '';
/** The limits tried, in MiB: the answer is one of these. */
const LADDER = [24, 32, 40, 48, 56, 64, 72, 80, 96, 112, 128, 160, 192, 256, 320, 384, 512];

/** Whether this machine lets us make cgroup v1 memory groups (root, v1 controller mounted). */
export function memoryGroupsWritable(): boolean {
  const probe = `${MEMORY}/redis-health-bench-probe`;
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

interface Held {
  limitMiB: number;
  held: boolean;
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
 * targets were probed, scraping /metrics every second as Prometheus would at a 1 s interval.
 */
async function holds(
  node: string,
  args: string[],
  limitMiB: number,
  holdMs: number,
): Promise<Held> {
  const group = `${MEMORY}/redis-health-bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(group);
  writeFileSync(`${group}/memory.limit_in_bytes`, String(limitMiB * 2 ** 20));
  // The shell joins the group before it becomes node, so start-up is charged too.
  const child = track(
    spawn(
      'sh',
      ['-c', `echo $$ > ${group}/cgroup.procs && exec "$@"`, 'sh', node, sidecarMain, ...args],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, NODE_OPTIONS: IMAGE_NODE_OPTIONS },
      },
    ),
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (out.length < 65536) out += chunk.toString();
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const started = Date.now();
  let url = '';
  let allProbedMs: number | null = null;
  const scrapeMs: number[] = [];
  let last = '';
  const deadline = started + 60_000 + holdMs;
  let holdUntil = Infinity;
  while (!exited && Date.now() < Math.min(deadline, holdUntil)) {
    await sleep(1000);
    if (url === '') {
      const port = /"listen":"[^"]*:(\d+)"/.exec(out)?.[1];
      if (port !== undefined) url = `http://127.0.0.1:${port}`;
      continue;
    }
    const scrape = await timedGet(`${url}/metrics`, 10_000);
    if (scrape.status !== 200) continue;
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
  const held = !exited && allProbedMs !== null;
  const targets = held ? await discovered(url) : [];
  child.kill('SIGKILL');
  await new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
  const read = (file: string) => readFileSync(`${group}/${file}`, 'utf8');
  const result: Held = {
    limitMiB,
    held,
    chargedMaxMiB: round(Number(read('memory.max_usage_in_bytes')) / 2 ** 20, 1),
    oomKills: Number(/oom_kill (\d+)/.exec(read('memory.oom_control'))?.[1] ?? 0),
    ...failures(last),
    metricsWorstMs: round(Math.max(0, ...scrapeMs), 1),
    metricsP50Ms: round(percentile(scrapeMs, 0.5) || 0, 1),
    allProbedMs,
    targets,
    targetInfoSeries: [...last.matchAll(/^redis_health_target_info\{[^}]*target="([^"]+)"/gm)].map(
      (match) => match[1]!,
    ),
  };
  for (let tries = 0; tries < 50 && existsSync(group); tries += 1) {
    try {
      rmdirSync(group);
    } catch {
      await sleep(100); // the killed process is still leaving the group
    }
  }
  return result;
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
async function smallestLimit(node: string, args: string[], holdMs: number, guessMiB: number) {
  const tried: Held[] = [];
  const attempt = async (index: number) => {
    const run = await holds(node, args, LADDER[index]!, holdMs);
    tried.push(run);
    return run.held && run.falseFailures === 0 ? run : undefined;
  };
  const top = LADDER.length - 1;
  let low = -1;
  let high = Math.max(
    0,
    LADDER.findIndex((limit) => limit >= guessMiB),
  );
  let best = await attempt(high);
  if (best === undefined) {
    low = high;
    high = top;
    best = low === top ? undefined : await attempt(top);
    if (best === undefined) return { held: undefined, tried };
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const run = await attempt(middle);
    if (run === undefined) low = middle;
    else [high, best] = [middle, run];
  }
  return { held: best, tried };
}

/** 8. The smallest memory limit for 1, 100 and 1000 targets, and 4 shards of 4000 targets. */
export async function memoryLimit({ quick }: Mode) {
  if (!memoryGroupsWritable()) {
    return {
      measured: false as const,
      why: `no writable cgroup v1 memory controller at ${MEMORY} (needs root): not measured`,
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
        node,
        ['--config', configFor(targets)],
        holdMs,
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
        tried: tried.map(({ limitMiB, held: ok, oomKills }) => ({ limitMiB, held: ok, oomKills })),
      });
    }
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
    nodeOptions: IMAGE_NODE_OPTIONS,
    holdMs,
    sizes,
    shards: {
      total,
      targets: 4000,
      limitMiB: shardLimit,
      rows: shards.map((shard, index) => ({
        shard: index,
        held: shard.held,
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
