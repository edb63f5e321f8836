import type { Target } from '../config/types';
import type { TargetProber } from '../monitor/monitor';
import { createClusterProbe } from './cluster-probe';
import { createRedisProbe } from './redis-probe';
import { createClusterConnections } from '../redis/cluster-nodes';
import { createConnection } from '../redis/create-connection';

/** How long QUIT may take per connection at shutdown. */
const QUIT_TIMEOUT_MS = 1000;

/** How one target is probed: PING (INFO, write canary) on its connection, or every master of a cluster. */
export function createProber(target: Target): TargetProber {
  if (target.cluster !== undefined) {
    const nodes = createClusterConnections(target);
    const cluster = createClusterProbe(nodes, target.cluster.nodes, target.timeoutMs);
    return {
      probe: () => cluster.probe(),
      cluster: () => cluster.view(),
      close: () => nodes.close(QUIT_TIMEOUT_MS),
    };
  }
  const connection = createConnection(target);
  const redis = createRedisProbe(connection, target);
  return {
    probe: () => redis.probe(),
    facts: () => redis.facts(),
    ...(target.mode === 'sentinel' && { address: () => connection.address() }),
    close: () => connection.close(QUIT_TIMEOUT_MS),
  };
}
