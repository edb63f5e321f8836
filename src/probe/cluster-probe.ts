import { safeMessage } from '../logging/redact';
import { messageOf } from './classify';
import { layoutFingerprint, parseClusterSlots, parseInfoFields } from './cluster-layout';
import type { ProbeReport } from './report';
import type { FailureReason, ProbeResult } from './result';
import { runCommand, runProbe, type ProbeConnection, type StallGauge } from './run-probe';

/** The connections to a cluster's nodes, by HOST:PORT; built by the redis/ module. */
export interface ClusterNodes {
  /** The connection to one node, made on first use and kept. */
  node(address: string): ProbeConnection;
  /** Closes the connections of nodes that are not in `keep` (left the cluster, demoted). */
  retain(keep: ReadonlySet<string>): void;
}

/** One master as the last probe saw it. */
export interface ClusterNodeView {
  address: string;
  up: boolean;
  reason?: FailureReason;
  message?: string;
  latencySeconds?: number;
}

/** What /status shows of a cluster target. */
export interface ClusterView {
  /** `ok` or `fail` as CLUSTER INFO says; undefined while no node answers. */
  state?: string;
  nodes: ClusterNodeView[];
}

export interface ClusterProbe {
  /** Probes every master; up when all answer PONG and cluster_state is ok. */
  probe(): Promise<ProbeReport>;
}

type Layout = { ok: true; state: string; asked: string } | { ok: false; result: ProbeResult };

/**
 * Probes a Redis Cluster within one `timeoutMs`: CLUSTER INFO from one node (CLUSTER SLOTS
 * too when the layout changed, to learn the masters), then PING to every master at once.
 * Steady state costs one CLUSTER INFO plus one PING per master, on connections kept open.
 */
export function createClusterProbe(
  nodes: ClusterNodes,
  seeds: readonly string[],
  timeoutMs: number,
  stalled?: StallGauge,
): ClusterProbe {
  let masters: string[] = [];
  let fingerprint: string | undefined;
  let preferred: string | undefined;
  let view: ClusterView = { nodes: [] };

  const readLayout = async (remaining: () => number): Promise<Layout> => {
    const candidates = [...new Set([preferred, ...masters, ...seeds])].filter(
      (address): address is string => address !== undefined,
    );
    const tried: ClusterNodeView[] = [];
    for (const address of candidates) {
      if (remaining() <= 0) break;
      const connection = nodes.node(address);
      const info = await runCommand(connection, ['CLUSTER', 'INFO'], remaining(), stalled);
      if (!info.ok) {
        tried.push({ address, up: false, reason: info.reason, message: info.message });
        continue;
      }
      const fields = parseInfoFields(String(info.reply));
      const seen = layoutFingerprint(fields);
      if (seen !== fingerprint || masters.length === 0) {
        const slots = await runCommand(connection, ['CLUSTER', 'SLOTS'], remaining(), stalled);
        if (!slots.ok) {
          tried.push({ address, up: false, reason: slots.reason, message: slots.message });
          continue;
        }
        masters = parseClusterSlots(slots.reply, address.replace(/:\d+$/, ''));
        fingerprint = seen;
      }
      preferred = address;
      return { ok: true, state: fields.get('cluster_state') ?? 'unknown', asked: address };
    }
    preferred = undefined;
    view = { nodes: tried };
    const last = tried.at(-1);
    return {
      ok: false,
      result: {
        ok: false,
        reason: last?.reason ?? 'timeout',
        message: safeMessage(
          `no cluster node answered (tried ${tried.length}): ${last?.message ?? `no time left of ${timeoutMs}ms`}`,
        ),
      },
    };
  };

  const run = async (): Promise<ProbeResult> => {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.floor(deadline - performance.now());
    const layout = await readLayout(remaining).catch((error: unknown): Layout => ({
      ok: false,
      result: { ok: false, reason: 'error', message: safeMessage(messageOf(error)) },
    }));
    if (!layout.ok) return layout.result;
    const results = await Promise.all(
      masters.map((address) => runProbe(nodes.node(address), Math.max(1, remaining()), stalled)),
    );
    const seen = masters.map((address, index): ClusterNodeView => {
      const result = results[index] ?? { ok: false, reason: 'error', message: 'not probed' };
      return result.ok
        ? { address, up: true, latencySeconds: result.seconds }
        : { address, up: false, reason: result.reason, message: result.message };
    });
    view = { state: layout.state, nodes: seen };
    nodes.retain(new Set([...masters, ...seeds]));
    const down = seen.filter((node) => !node.up);
    const first = down[0];
    if (first !== undefined) {
      // Ask for the layout again next time: a failover may have promoted a replica.
      fingerprint = undefined;
      const count =
        down.length === 1 ? 'master' : `${down.length} of ${seen.length} masters down, first`;
      return {
        ok: false,
        reason: first.reason ?? 'error',
        message: safeMessage(`${count} ${first.address}: ${first.message ?? ''}`),
      };
    }
    if (layout.state !== 'ok') {
      return {
        ok: false,
        reason: 'error',
        message: `cluster_state is ${safeMessage(layout.state)} (says ${layout.asked})`,
      };
    }
    return { ok: true, seconds: Math.max(0, ...seen.map((node) => node.latencySeconds ?? 0)) };
  };

  return {
    probe: async () => ({ result: await run(), cluster: view }),
  };
}
