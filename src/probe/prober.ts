import type { Target } from '../config/types';
import { createClusterConnections } from '../redis/cluster-nodes';
import { createConnection } from '../redis/create-connection';
import { createClusterProbe } from './cluster-probe';
import { createRedisProbe } from './redis-probe';
import type { TargetProber } from './report';

/** How long QUIT may take per connection at shutdown. */
const QUIT_TIMEOUT_MS = 1000;

/** How one target is probed: PING (INFO, write canary) on its connection, or every master of a cluster. */
export function createProber(target: Target): TargetProber {
  if (target.cluster !== undefined) {
    const nodes = createClusterConnections(target);
    const cluster = createClusterProbe(nodes, target.cluster.nodes, target.timeoutMs);
    return { probe: () => cluster.probe(), close: () => nodes.close(QUIT_TIMEOUT_MS) };
  }
  const connection = createConnection(target);
  const redis = createRedisProbe(connection, target);
  const sentinel = target.mode === 'sentinel';
  return {
    async probe() {
      const report = await redis.probe();
      const address = sentinel ? connection.address() : undefined;
      return address === undefined ? report : { ...report, address };
    },
    close: () => connection.close(QUIT_TIMEOUT_MS),
  };
}
