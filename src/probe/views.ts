// What the checks learn, as it travels in a ProbeReport to the status, the metrics and the page.
// Only types: the checks, the report and their readers all import this, and it imports none of
// them, so the dependencies run one way.
import type { ServerFacts } from './server-facts';
import type { FailureReason, ProbeResult } from './result';

/** The last INFO: its facts and when they were read, or why the last read failed. */
export interface FactsView {
  facts?: ServerFacts;
  /** Unix time of the read, in milliseconds. */
  readAt?: number;
  error?: string;
}

/** One master as the last probe saw it. */
export interface ClusterNodeView {
  address: string;
  up: boolean;
  reason?: FailureReason;
  message?: string;
  latencySeconds?: number;
  /** Its replicas as the last CLUSTER NODES listed them; `up` when not failing and linked. */
  replicas?: Array<{ address: string; up: boolean }>;
}

/** What /status shows of a cluster target. */
export interface ClusterView {
  /** `ok` or `fail` as CLUSTER INFO says; undefined while no node answers. */
  state?: string;
  nodes: ClusterNodeView[];
  /** From CLUSTER INFO: slots in failing (`fail`) and possibly failing (`pfail`) nodes. */
  slotsFail?: number;
  slotsPfail?: number;
  knownNodes?: number;
  /** Masters none of whose replicas is reachable (from CLUSTER NODES, on the INFO schedule). */
  mastersWithoutReplica?: number;
}

/** The last fresh-connection check: ok with the whole connect and PING in `seconds`, or why not. */
export interface ConnectView {
  result: ProbeResult;
  /** Unix ms of the check. */
  at: number;
}

/** One sentinel's answer to `SENTINEL CKQUORUM`. */
export interface SentinelAnswer {
  address: string;
  /** Whether it answered CKQUORUM at all (OK or NOQUORUM). */
  answered: boolean;
  /** Its reply (`OK 3 usable Sentinels...`, `NOQUORUM ...`) or why there was none. */
  message: string;
}

/** What the sentinels of a target say about themselves. */
export interface SentinelView {
  configured: number;
  answering: number;
  /** Whether any sentinel says the quorum and failover authorization can be reached. */
  quorum: boolean;
  sentinels: SentinelAnswer[];
  /** Unix ms of the round. */
  at: number;
}
