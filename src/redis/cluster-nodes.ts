import { parseHostPort } from '../config/host-port';
import type { Target } from '../config/types';
import type { ClusterNodes } from './connections';
import { createConnection, type TargetConnection } from './create-connection';

/** Connections to the nodes of one cluster target, each a plain connection to that node. */
export interface ClusterConnections extends ClusterNodes {
  /** QUITs every node connection. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * One kept connection per node, made on first use. Every node gets the target's credentials
 * and TLS settings; a node's TLS server name defaults to its own host, as for any target.
 */
export function createClusterConnections(target: Target): ClusterConnections {
  const connections = new Map<string, TargetConnection>();
  return {
    node(address) {
      let connection = connections.get(address);
      if (connection === undefined) {
        connection = createConnection(nodeTarget(target, address));
        connections.set(address, connection);
      }
      return connection;
    },
    retain(keep) {
      for (const [address, connection] of connections) {
        if (keep.has(address)) continue;
        connections.delete(address);
        connection.drop();
      }
    },
    async close(timeoutMs) {
      await Promise.all([...connections.values()].map((item) => item.close(timeoutMs)));
      connections.clear();
    },
  };
}

/** A node (of a cluster, or a sentinel) as a plain target of its own, with the target's credentials and TLS. */
export function nodeTarget(target: Target, address: string): Target {
  const node: Target = {
    ...target,
    mode: 'standalone',
    endpoint: parseHostPort(address),
    address,
    db: 0,
  };
  delete node.cluster;
  return node;
}
