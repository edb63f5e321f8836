import { safeMessage } from '../logging/redact';
import type { ClusterNodes } from '../redis/connections';
import { messageOf } from './classify';
import {
  layoutFingerprint,
  parseClusterNodes,
  parseClusterSlots,
  infoNumber,
  parseInfoFields,
  type ClusterNodeLine,
} from './cluster-layout';
import type { ProbeReport } from './report';
import type { ProbeResult } from './result';
import { runCommand, runProbe, type StallGauge } from './run-probe';
import type { ClusterNodeView, ClusterView } from './views';

export interface ClusterProbeOptions {
  /** How often CLUSTER NODES is read for the replicas (default never). */
  infoIntervalMs?: number;
  now?: () => number;
}

export interface ClusterProbe {
  /** Probes every master; up when all answer PONG and cluster_state is ok. */
  probe(): Promise<ProbeReport>;
  /** The node that last answered CLUSTER INFO, if any: where a fresh connection should go. */
  answering(): string | undefined;
}

type Layout =
  { ok: true; fields: Map<string, string>; asked: string } | { ok: false; result: ProbeResult };

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
  options: ClusterProbeOptions = {},
): ClusterProbe {
  const { infoIntervalMs = Infinity, now = Date.now } = options;
  let masters: string[] = [];
  let topology: ClusterNodeLine[] | undefined;
  let topologyDueAt = -Infinity;
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
      return { ok: true, fields, asked: address };
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
    const state = layout.fields.get('cluster_state') ?? 'unknown';
    const results = await Promise.all(
      masters.map((address) => runProbe(nodes.node(address), Math.max(1, remaining()), stalled)),
    );
    if (now() >= topologyDueAt && remaining() >= timeoutMs / 2) {
      topologyDueAt = now() + infoIntervalMs;
      const asked = layout.asked;
      const reply = await runCommand(nodes.node(asked), ['CLUSTER', 'NODES'], remaining(), stalled);
      const parsed = reply.ok
        ? parseClusterNodes(String(reply.reply), asked.replace(/:\d+$/, ''))
        : [];
      if (parsed.length > 0) topology = parsed;
    }
    const seen = masters.map((address, index): ClusterNodeView => {
      const result = results[index] ?? { ok: false, reason: 'error', message: 'not probed' };
      const node: ClusterNodeView = result.ok
        ? { address, up: true, latencySeconds: result.seconds }
        : { address, up: false, reason: result.reason, message: result.message };
      const replicas = replicasOf(address, topology);
      return replicas === undefined ? node : { ...node, replicas };
    });
    view = { state, nodes: seen, ...depth(layout.fields, seen, topology) };
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
    if (state !== 'ok') {
      return {
        ok: false,
        reason: 'error',
        message: `cluster_state is ${safeMessage(state)} (says ${layout.asked})`,
      };
    }
    return { ok: true, seconds: Math.max(0, ...seen.map((node) => node.latencySeconds ?? 0)) };
  };

  return {
    probe: async () => ({ result: await run(), cluster: view }),
    answering: () => preferred,
  };
}

/** The replicas of the master at `address`, or undefined while CLUSTER NODES is unknown. */
function replicasOf(
  address: string,
  topology: readonly ClusterNodeLine[] | undefined,
): ClusterNodeView['replicas'] {
  if (topology === undefined) return undefined;
  const id = topology.find((node) => node.master && node.address === address)?.id;
  if (id === undefined) return undefined;
  return topology
    .filter((node) => node.masterId === id)
    .map((node) => ({ address: node.address, up: !node.unreachable }));
}

/** The numbers of CLUSTER INFO and CLUSTER NODES that say how close the cluster is to failing. */
function depth(
  fields: Map<string, string>,
  masters: readonly ClusterNodeView[],
  topology: readonly ClusterNodeLine[] | undefined,
): Partial<ClusterView> {
  const number = (name: string) => infoNumber(fields, name);
  const counts = {
    slotsFail: number('cluster_slots_fail'),
    slotsPfail: number('cluster_slots_pfail'),
    knownNodes: number('cluster_known_nodes'),
    mastersWithoutReplica:
      topology === undefined
        ? undefined
        : masters.filter(
            (node) => node.replicas !== undefined && !node.replicas.some((replica) => replica.up),
          ).length,
  };
  return Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== undefined));
}
