import { evaluateChecks } from '../monitor/checks';
import type { History, HistoryEvent } from '../monitor/history';
import { targetReadiness } from '../monitor/readiness';
import type { TargetStatus } from '../monitor/target-status';

/** The JSON of /status for one target: state, breaker, last error reason, latency. No secrets. */
export function describeTarget(status: TargetStatus) {
  const { target } = status;
  const readiness = targetReadiness(status);
  return {
    name: target.name,
    address: status.address,
    db: target.db,
    mode: target.mode,
    required: target.required,
    ready: readiness.ok,
    readiness: readiness.detail,
    up: status.up ?? null,
    since: isoTime(status.changedAt),
    breaker: status.breaker,
    consecutiveFailures: status.consecutiveFailures,
    probes: status.probes,
    inconclusiveProbes: status.inconclusiveProbes,
    lastInconclusive:
      status.lastInconclusive === undefined
        ? null
        : { ...status.lastInconclusive, at: isoTime(status.lastInconclusive.at) },
    latencyMs:
      status.lastLatencySeconds === undefined ? null : round(status.lastLatencySeconds * 1000),
    lastProbe: isoTime(status.lastProbeAt),
    lastSuccess: isoTime(status.lastSuccessAt),
    lastError:
      status.lastFailure === undefined
        ? null
        : {
            reason: status.lastFailure.reason,
            message: status.lastFailure.message,
            at: isoTime(status.lastFailure.at),
          },
    intervalMs: target.intervalMs,
    timeoutMs: target.timeoutMs,
    ...(target.mode === 'cluster' ? { cluster: describeCluster(status) } : describeServer(status)),
    connectCheck: describeConnectCheck(status),
    ...(target.pubsub !== undefined && {
      pubsub: {
        channel: target.pubsub.channel,
        roundTripMs: status.pubsubSeconds === undefined ? null : round(status.pubsubSeconds * 1000),
      },
    }),
    ...(status.sentinels !== undefined && {
      sentinels: { ...status.sentinels, at: isoTime(status.sentinels.at) },
    }),
    certificate:
      status.certificate === undefined
        ? null
        : {
            subject: status.certificate.subject,
            notAfter: isoTime(status.certificate.notAfter),
            daysLeft: round((status.certificate.notAfter - Date.now()) / 86_400_000),
          },
    checks: evaluateChecks(status),
    reportOnly: target.checks.reportOnly,
  };
}

/** The last fresh-connection check: off, not yet run, or its outcome. */
function describeConnectCheck({ target, connect }: TargetStatus) {
  if (target.connectCheckMs === 0) return { everyMs: 0 };
  if (connect === undefined) return { everyMs: target.connectCheckMs, at: null };
  const { result } = connect;
  return {
    everyMs: target.connectCheckMs,
    at: isoTime(connect.at),
    ok: result.ok,
    ...(result.ok
      ? { seconds: round(result.seconds) }
      : { reason: result.reason, message: result.message }),
  };
}

/** The sidecar's own starvation: why some probes were inconclusive rather than failures. */
export function describePressure(
  pressure: { stalledSeconds: number; cpuThrottledSeconds: number | null },
  statuses: readonly TargetStatus[],
) {
  return {
    stalledSeconds: round(pressure.stalledSeconds),
    cpuThrottledSeconds:
      pressure.cpuThrottledSeconds === null ? null : round(pressure.cpuThrottledSeconds),
    inconclusiveProbes: statuses.reduce((sum, status) => sum + status.inconclusiveProbes, 0),
  };
}

/** The facts people look at first, from the last INFO. */
function describeServer({ info }: TargetStatus) {
  const facts = info?.facts;
  return {
    server:
      facts === undefined
        ? null
        : {
            server: facts.server,
            version: facts.version,
            role: facts.role,
            loading: facts.loading,
            connectedClients: facts.connectedClients,
            usedMemory: facts.usedMemoryHuman,
            maxMemoryBytes: facts.maxMemoryBytes,
            uptimeSeconds: facts.uptimeSeconds,
            ...(facts.masterLinkUp !== undefined && { masterLinkUp: facts.masterLinkUp }),
            ...(facts.masterLastIoSeconds !== undefined && {
              masterLastIoSeconds: facts.masterLastIoSeconds,
            }),
            ...(facts.replicaOffsetLagBytes !== undefined && {
              replicaOffsetLagBytes: facts.replicaOffsetLagBytes,
            }),
            readAt: isoTime(info?.readAt),
          },
    ...(info?.error !== undefined && { infoError: info.error }),
  };
}

/** cluster_state and every master with its own state, so a reader sees which node is down. */
function describeCluster({ cluster }: TargetStatus) {
  return {
    state: cluster?.state ?? null,
    slotsFail: cluster?.slotsFail ?? null,
    slotsPfail: cluster?.slotsPfail ?? null,
    knownNodes: cluster?.knownNodes ?? null,
    mastersWithoutReplica: cluster?.mastersWithoutReplica ?? null,
    nodes: (cluster?.nodes ?? []).map((node) => ({
      address: node.address,
      up: node.up,
      latencyMs: node.latencySeconds === undefined ? null : round(node.latencySeconds * 1000),
      ...(node.reason !== undefined && { reason: node.reason, message: node.message ?? '' }),
      ...(node.replicas !== undefined && { replicas: node.replicas }),
    })),
  };
}

/** A target's slices over the history window, for `/status?history=1`. */
export function describeHistory(history: History, status: TargetStatus) {
  return {
    bucketSeconds: history.bucketMs / 1000,
    buckets: history.of(status.target.name).map((bucket) => ({
      ...bucket,
      at: isoTime(bucket.at),
    })),
  };
}

export function describeEvent(event: HistoryEvent) {
  return { ...event, at: isoTime(event.at) };
}

function isoTime(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
