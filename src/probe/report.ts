import type { ClusterView } from './cluster-probe';
import type { FactsView } from './redis-probe';
import type { ProbeResult } from './result';

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
  /** How long the sidecar itself could not run while this probe was under way, in ms. */
  stalledMs?: number;
}

/** How one target is probed: built by `createProber` from the redis/ and probe/ modules. */
export interface TargetProber {
  probe(): Promise<ProbeReport>;
  /** Closes the connections politely (QUIT). */
  close(): Promise<void>;
}
