// 7. What each check beyond PING costs a Redis, per target per minute at the default intervals.
import { startCluster } from '../test/helpers/redis-cluster';
import { startRedis as startTestRedis, type RedisServer } from '../test/helpers/redis-server';
import type { Mode } from './scenarios';
import { waitFor } from '../test/helpers/wait';
import { round } from './measure';
import { sleep, startSidecar } from './processes';

/**
 * Everything runs 20 times faster than the defaults (interval 5 s → 250 ms, infoInterval 30 s
 * → 1.5 s, connectCheck 1 m → 3 s), so a window of W seconds counts what W × 20 seconds cost at
 * the defaults.
 */
const SPEEDUP = 20;
const FAST = '{ interval: 250ms, timeout: 200ms, infoInterval: 1500ms, connectCheck: 0 }';

interface Situation {
  name: string;
  /** The target's YAML list item, given the servers started for it. */
  target(servers: RedisServer[]): string;
  /** Starts what it probes: every server whose commands and connections count. */
  start(): Promise<RedisServer[]>;
}

const url = (server: RedisServer | undefined) => `redis://127.0.0.1:${server?.port}/0`;
const plain = () => startTestRedis({ processOnly: true }).then((server) => [server]);

const situations: Situation[] = [
  { name: 'PING + INFO (no checks)', start: plain, target: ([s]) => `{ url: '${url(s)}' }` },
  {
    name: 'connectCheck',
    start: plain,
    target: ([s]) => `{ url: '${url(s)}', connectCheck: 3s }`,
  },
  { name: 'write canary', start: plain, target: ([s]) => `{ url: '${url(s)}', write: {} }` },
  {
    name: 'pubsub',
    start: plain,
    target: ([s]) => `{ url: '${url(s)}', pubsub: { channel: bench } }`,
  },
  {
    name: 'sentinel quorum (3 sentinels)',
    async start() {
      const [master] = await plain();
      const sentinelOf = { masterName: 'bench', host: '127.0.0.1', port: master?.port ?? 0 };
      const sentinels = await Promise.all(
        [1, 2, 3].map(() => startTestRedis({ processOnly: true, sentinelOf })),
      );
      // Measure once they know each other: their first links are not steady state.
      const quorate = () =>
        sentinels[0]!.command('SENTINEL', 'CKQUORUM', 'bench').then(
          (reply) => String(reply).startsWith('OK 3'),
          () => false,
        );
      await waitFor('sentinels to know each other', quorate, { timeoutMs: 20_000, everyMs: 200 });
      return [master as RedisServer, ...sentinels];
    },
    target: ([, ...sentinels]) =>
      `{ sentinel: { masterName: bench, sentinels: [${sentinels.map((s) => `'127.0.0.1:${s.port}'`).join(', ')}] } }`,
  },
  {
    name: 'cluster (3 masters, 3 replicas)',
    start: () => startCluster(3, 1),
    target: (nodes) => `{ cluster: { nodes: ['127.0.0.1:${nodes[0]?.port}'] } }`,
  },
];

/**
 * INFO stats' command and connection totals: a sentinel reports no commandstats, but counts
 * `total_commands_processed` like any Redis.
 */
function processed(info: string): { calls: number; connections: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return {
    calls: field('total_commands_processed'),
    connections: field('total_connections_received'),
  };
}

/** Commands and connections per minute at the defaults, for one situation. */
async function measure(situation: Situation, windowMs: number) {
  const servers = await situation.start();
  const read = async () => {
    const counts = await Promise.all(
      servers.map(async (server) => processed(String(await server.command('INFO', 'stats')))),
    );
    return counts.reduce((sum, item) => ({
      calls: sum.calls + item.calls,
      connections: sum.connections + item.connections,
    }));
  };
  // What the servers do among themselves (sentinels' hellos, replicas' acks) in one window, and
  // the benchmark's own INFO reads, are taken off what they count with the sidecar probing.
  const count = async () => {
    const before = await read();
    await sleep(windowMs);
    const after = await read();
    return {
      calls: after.calls - before.calls,
      connections: after.connections - before.connections,
    };
  };
  await sleep(2000);
  const background = await count();
  const target = situation.target(servers).replace(/^\{ /, '{ name: main, ');
  const sidecar = await startSidecar(
    `listen: 127.0.0.1:0\nlog: { level: info }\ndefaults: ${FAST}\ntargets:\n  - ${target}\n`,
  );
  await sleep(2000); // connected, first INFO read
  const probed = await count();
  process.kill(sidecar.pid);
  await Promise.all(servers.map((server) => server.stop()));
  const minutesAtDefaults = (windowMs * SPEEDUP) / 60_000;
  return {
    name: situation.name,
    commandsPerMinute: round((probed.calls - background.calls) / minutesAtDefaults, 1),
    connectionsPerMinute: round(
      (probed.connections - background.connections) / minutesAtDefaults,
      2,
    ),
  };
}

export async function checkCost({ quick }: Mode) {
  const windowMs = quick ? 6_000 : 15_000;
  const rows = [];
  for (const situation of situations) rows.push(await measure(situation, windowMs));
  return { windowMs, speedup: SPEEDUP, rows };
}
