import { formatHostPort } from '../config/host-port';
import type { Target } from '../config/types';
import { createClusterConnections, nodeTarget } from '../redis/cluster-nodes';
import { createConnection } from '../redis/create-connection';
import type { CertificateView } from '../redis/peer-certificate';
import { createSubscriber } from '../redis/subscriber';
import { createClusterProbe } from './cluster-probe';
import { createConnectCheck, type FreshConnection } from './connect-check';
import { createRedisProbe } from './redis-probe';
import { QUIT_TIMEOUT_MS, type ProbeReport, type TargetProber } from './report';
import type { StallGauge } from './run-probe';
import { createSentinelCheck, type SentinelCheck } from './sentinel-check';
import { createSecretScrubber } from './without-secrets';

/** What probers share: how to tell the sidecar's own stalls (none for a one-off `check`). */
export interface ProbeContext {
  stalled?: StallGauge;
}

/**
 * How one target is probed: PING (INFO, write canary, pub/sub) on its connection, or every
 * master of a cluster; beside it, the fresh-connection check and, for a sentinel target, the
 * sentinels' quorum.
 */
export function createProber(target: Target, context: ProbeContext = {}): TargetProber {
  const { stalled } = context;
  const prober =
    target.cluster !== undefined
      ? createClusterProber(target, stalled)
      : createServerProber(target, stalled);
  const scrub = createSecretScrubber(target);
  return {
    async probe() {
      const startedAt = Date.now();
      const report = scrub(await prober.probe());
      return stalled === undefined
        ? report
        : { ...report, stalledMs: Math.round(stalled(startedAt, Date.now())) };
    },
    close: () => prober.close(),
    drop: () => prober.drop(),
  };
}

function createClusterProber(target: Target, stalled: StallGauge | undefined): TargetProber {
  const nodes = createClusterConnections(target);
  const seeds = target.cluster?.nodes ?? [];
  const cluster = createClusterProbe(nodes, seeds, target.timeoutMs, stalled, {
    infoIntervalMs: target.infoIntervalMs,
  });
  // A fresh connection goes where the probe last got an answer, as a client would.
  const address = () => cluster.answering() ?? seeds[0] ?? target.address;
  const fresh = freshChecks(target, () => createConnection(nodeTarget(target, address())), stalled);
  return {
    probe: () => fresh.around(cluster.probe()),
    close: () => nodes.close(QUIT_TIMEOUT_MS),
    drop: () => nodes.retain(new Set()),
  };
}

function createServerProber(target: Target, stalled: StallGauge | undefined): TargetProber {
  const connection = createConnection(target);
  const channel = target.pubsub?.channel;
  const subscriber = channel === undefined ? undefined : createSubscriber(target, channel);
  const redis = createRedisProbe(connection, {
    timeoutMs: target.timeoutMs,
    infoIntervalMs: target.infoIntervalMs,
    write: target.write,
    stalled,
    pubsub: channel === undefined || subscriber === undefined ? undefined : { channel, subscriber },
  });
  const fresh = freshChecks(target, () => createConnection(target), stalled);
  const sentinels = createSentinels(target, stalled);
  return {
    async probe() {
      const [report, sentinelView] = await Promise.all([
        fresh.around(redis.probe(), () => connection.certificate()),
        sentinels?.run(),
      ]);
      const address = sentinels !== undefined ? connection.address() : undefined;
      return {
        ...report,
        ...(address !== undefined && { address }),
        ...(sentinelView !== undefined && { sentinels: sentinelView }),
      };
    },
    async close() {
      await Promise.all([connection.close(QUIT_TIMEOUT_MS), subscriber?.close(QUIT_TIMEOUT_MS)]);
    },
    drop() {
      connection.drop();
      subscriber?.drop();
    },
  };
}

/** The fresh-connection check run beside a probe, adding its outcome and certificate. */
function freshChecks(target: Target, open: () => FreshConnection, stalled: StallGauge | undefined) {
  const check = createConnectCheck(open, {
    everyMs: target.connectCheckMs,
    timeoutMs: target.timeoutMs,
    retryMs: target.intervalMs,
    stalled,
  });
  // While the kept connection fails, the target is down already: no fresh connections then.
  let lastOk = true;
  return {
    async around(
      probe: Promise<ProbeReport>,
      kept: () => CertificateView | undefined = () => undefined,
    ): Promise<ProbeReport> {
      const [report, connect] = await Promise.all([probe, check.run(lastOk)]);
      lastOk = report.result.ok;
      // The fresh connection saw the certificate last; the kept one, when no check has run.
      const certificate = check.certificate() ?? kept();
      return {
        ...report,
        ...(connect !== undefined && { connect }),
        ...(certificate !== undefined && { certificate }),
      };
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
  // A sentinel is reached as a plain node with the sentinels' own credentials and TLS.
  const open = (address: string) => {
    const node = nodeTarget(target, address);
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
