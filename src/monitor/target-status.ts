import type { BreakerState } from '../breaker/breaker';
import type { Target } from '../config/types';
import type { CertificateView } from '../redis/peer-certificate';
import type { ProbeReport } from '../probe/report';
import type { FailureReason } from '../probe/result';
import type { ClusterView, ConnectView, FactsView, SentinelView } from '../probe/views';

/** What is known about one target, as shown by /status, /readyz and the metrics. */
export interface TargetStatus {
  readonly target: Target;
  /** Where the target was last reached; for a sentinel target it follows failovers. */
  address: string;
  breaker: BreakerState;
  /** Outcome of the last completed probe; undefined before the first one. */
  up: boolean | undefined;
  /** When `up` last changed (the first probe counts): "down for 3m12s", "up since 12:01". */
  changedAt?: number;
  consecutiveFailures: number;
  lastFailure?: { reason: FailureReason; message: string; at: number };
  lastLatencySeconds?: number;
  lastSuccessAt?: number;
  lastProbeAt?: number;
  probes: number;
  /** Probes that timed out while the sidecar itself was stalled, and were retried. */
  inconclusiveProbes: number;
  lastInconclusive?: { message: string; at: number; stalledMs: number };
  /** For a cluster target: cluster_state and each master, from the last probe. */
  cluster?: ClusterView;
  /** The last INFO: facts for /status, metrics and the checks. */
  info?: FactsView;
  /** The last fresh-connection check, once one has run. */
  connect?: ConnectView;
  /** For TLS targets, the presented certificate that expires first. */
  certificate?: CertificateView;
  /** The last successful pub/sub round trip, in seconds. */
  pubsubSeconds?: number;
  /** For sentinel targets, the last CKQUORUM round. */
  sentinels?: SentinelView;
}

/** A target's status before its first probe. */
export function initialStatus(target: Target): TargetStatus {
  return {
    target,
    address: target.address,
    breaker: 'closed',
    up: undefined,
    consecutiveFailures: 0,
    probes: 0,
    inconclusiveProbes: 0,
  };
}

/**
 * What a probe learned on the way (where it went, INFO, the cluster, each check's view), copied
 * onto a status: the monitor's, and the one-off status of a `/probe` answer, alike.
 */
export function applyViews(status: TargetStatus, report: ProbeReport): void {
  status.address = report.address ?? status.address;
  if (report.cluster !== undefined) status.cluster = report.cluster;
  if (report.info !== undefined) status.info = report.info;
  if (report.connect !== undefined) status.connect = report.connect;
  if (report.certificate !== undefined) status.certificate = report.certificate;
  if (report.sentinels !== undefined) status.sentinels = report.sentinels;
  if (report.pubsubSeconds !== undefined) status.pubsubSeconds = report.pubsubSeconds;
}
