import type { CertificateView } from '../redis/peer-certificate';
import type { ProbeResult } from './result';
import type { ClusterView, ConnectView, FactsView, SentinelView } from './views';

/**
 * Everything one probe saw: its result and what it learned on the way. Every prober resolves
 * to this one value, so the monitor, `check` and `/probe` read the same thing.
 */
export interface ProbeReport {
  result: ProbeResult;
  /** Where the probe went, when that can change (the master behind a sentinel). */
  address?: string;
  /** The last INFO of a standalone or sentinel target. */
  info?: FactsView;
  /** The masters of a cluster target as this probe saw them. */
  cluster?: ClusterView;
  /** The last fresh-connection check (`connectCheck`), once one has run. */
  connect?: ConnectView;
  /** For TLS targets, the presented certificate that expires first. */
  certificate?: CertificateView;
  /** The pub/sub round trip of this probe, from PUBLISH to arrival, in seconds. */
  pubsubSeconds?: number;
  /** For sentinel targets, what the sentinels say of themselves (CKQUORUM). */
  sentinels?: SentinelView;
  /** How long the sidecar itself could not run while this probe was under way, in ms. */
  stalledMs?: number;
}

/**
 * A wait the sidecar itself spent at least this share of stalled (not running) says nothing
 * about Redis: a timeout then is inconclusive, a round trip then is not Redis's latency.
 */
export const STALLED_SHARE = 0.25;

/**
 * Whether a successful probe's round trip measures Redis rather than the sidecar's own stall:
 * a reply read late because the sidecar could not run is still a PONG, but its time is ours.
 * Such round trips stay out of the latency histogram and the reported latency (rule 4).
 */
export function latencyTrusted(report: ProbeReport): boolean {
  const { result, stalledMs = 0 } = report;
  return result.ok && stalledMs < STALLED_SHARE * result.seconds * 1000;
}

/** How long QUIT may take per connection: at shutdown, and for the checks' short connections. */
export const QUIT_TIMEOUT_MS = 1000;

/** How one target is probed: built by `createProber` from the redis/ and probe/ modules. */
export interface TargetProber {
  probe(): Promise<ProbeReport>;
  /** Closes the connections politely (QUIT). */
  close(): Promise<void>;
  /**
   * Ends the kept connections at once (its caller is gone): a probe running on them ends as
   * `closed`; a fresh-connection check or sentinel round ends by its own timeout.
   */
  drop(): void;
}
