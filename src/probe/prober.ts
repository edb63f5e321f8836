import type { Target } from '../config/types';
import { createClusterConnections } from '../redis/cluster-nodes';
import { createConnection } from '../redis/create-connection';
import { createSubscriber } from '../redis/subscriber';
import { createClusterProbe } from './cluster-probe';
import { formatHostPort } from '../config/host-port';
import { createConnectCheck } from './connect-check';
import { createSentinelCheck, type SentinelCheck } from './sentinel-check';
import { createRedisProbe } from './redis-probe';
import type { ProbeReport, TargetProber } from './report';
import type { StallGauge } from './run-probe';

/** How long QUIT may take per connection at shutdown. */
const QUIT_TIMEOUT_MS = 1000;

/** What probers share: how to tell the sidecar's own stalls (none for a one-off `check`). */
export interface ProbeContext {
  stalled?: StallGauge;
}

/** How one target is probed: PING (INFO, write canary) on its connection, or every master of a cluster. */
export function createProber(target: Target, context: ProbeContext = {}): TargetProber {
  const { stalled } = context;
  const timed = async (probe: () => Promise<ProbeReport>): Promise<ProbeReport> => {
    const startedAt = Date.now();
    const report = await probe();
    return stalled === undefined
      ? report
      : { ...report, stalledMs: Math.round(stalled(startedAt, Date.now())) };
  };
  if (target.cluster !== undefined) {
    const nodes = createClusterConnections(target);
    const cluster = createClusterProbe(nodes, target.cluster.nodes, target.timeoutMs, stalled, {
      infoIntervalMs: target.infoIntervalMs,
    });
    return {
      probe: () => timed(() => cluster.probe()),
      close: () => nodes.close(QUIT_TIMEOUT_MS),
    };
  }
  const connection = createConnection(target);
  const subscriber =
    target.pubsub === undefined ? undefined : createSubscriber(target, target.pubsub.channel);
  const redis = createRedisProbe(connection, {
    ...target,
    stalled,
    pubsub:
      target.pubsub === undefined || subscriber === undefined
        ? undefined
        : { channel: target.pubsub.channel, subscriber },
  });
  const fresh = createConnectCheck(() => createConnection(target), {
    everyMs: target.connectCheckMs,
    timeoutMs: target.timeoutMs,
    retryMs: target.intervalMs,
    stalled,
  });
  const sentinels = createSentinels(target, stalled);
  return {
    probe: () =>
      timed(async () => {
        const [report, connect, sentinelView] = await Promise.all([
          redis.probe(),
          fresh.run(),
          sentinels?.run(),
        ]);
        const address = sentinels !== undefined ? connection.address() : undefined;
        const certificate = fresh.certificate() ?? connection.certificate();
        return {
          ...report,
          ...(address !== undefined && { address }),
          ...(connect !== undefined && { connect }),
          ...(sentinelView !== undefined && { sentinels: sentinelView }),
          ...(certificate !== undefined && { certificate }),
        };
      }),
    close: async () => {
      await Promise.all([connection.close(QUIT_TIMEOUT_MS), subscriber?.close(QUIT_TIMEOUT_MS)]);
    },
  };
}

/** For a sentinel target, the round of CKQUORUM to its sentinels on the INFO schedule. */
function createSentinels(
  target: Target,
  stalled: StallGauge | undefined,
): SentinelCheck | undefined {
  const { sentinel } = target;
  if (sentinel === undefined) return undefined;
  const addresses = sentinel.sentinels.map(({ host, port }) => formatHostPort(host, port));
  const open = (address: string) => {
    const node: Target = {
      ...target,
      mode: 'standalone',
      endpoint: sentinel.sentinels[addresses.indexOf(address)] ?? target.endpoint,
      address,
      db: 0,
    };
    delete node.sentinel;
    delete node.passwordFile;
    delete node.username;
    delete node.password;
    delete node.tls;
    if (sentinel.username !== undefined) node.username = sentinel.username;
    if (sentinel.password !== undefined) node.password = sentinel.password;
    if (sentinel.tls !== undefined) node.tls = sentinel.tls;
    return createConnection(node);
  };
  return createSentinelCheck(open, {
    masterName: sentinel.masterName,
    addresses,
    everyMs: target.infoIntervalMs,
    timeoutMs: target.timeoutMs,
    stalled,
  });
}
