import { spawnSync } from 'node:child_process';
import { startRedis, type RedisServer } from './redis-server';
import { waitFor } from './wait';

const MISSING_CLI =
  'No redis-cli to create the test cluster with. Install it with `apt-get install -y ' +
  'redis-tools` (Debian/Ubuntu) or `brew install redis`.';

/**
 * Starts `masters` cluster-enabled redis-server processes (and `replicas` per master) and joins
 * them with `redis-cli --cluster create`, then waits until every node says cluster_state is ok
 * and knows every other. A node notices another one down after 1 s (`cluster-node-timeout`).
 * The masters come first in the list. Stop the nodes with stopAllRedis().
 */
export async function startCluster(masters = 3, replicas = 0): Promise<RedisServer[]> {
  if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(MISSING_CLI);
  }
  const nodes = await Promise.all(
    Array.from({ length: masters * (1 + replicas) }, () =>
      startRedis({
        processOnly: true,
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', '1000'],
        ],
      }),
    ),
  );
  const created = spawnSync(
    'redis-cli',
    [
      ...['--cluster', 'create', ...nodes.map((node) => `${node.host}:${node.port}`)],
      ...['--cluster-replicas', String(replicas), '--cluster-yes'],
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (created.status !== 0) {
    throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  }
  await waitFor(
    'cluster_state:ok on every node',
    async () => {
      const states = await Promise.all(
        nodes.map(async (node) => String(await node.command('CLUSTER', 'INFO'))),
      );
      return states.every(
        (state) =>
          state.includes('cluster_state:ok') &&
          state.includes(`cluster_known_nodes:${nodes.length}\r`),
      );
    },
    { timeoutMs: 20_000, everyMs: 100 },
  );
  return nodes;
}
