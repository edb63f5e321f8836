import type { Target } from '../config/types';
import { createSlots } from '../slots';
import { createProber } from './prober';
import type { ProbeReport, TargetProber } from './report';

/** At most this many on-demand probes run at once by default (`http.probeConcurrency`). */
export const DEFAULT_PROBE_CONCURRENCY = 8;
/** Time kept back from Prometheus's scrape timeout for rendering and the network. */
const SCRAPE_OFFSET_MS = 500;
const MIN_TIMEOUT_MS = 100;

/** The outcome of an on-demand probe: its report, or why there was none. */
export type OnDemandAnswer =
  | { kind: 'probed'; target: Target; report: ProbeReport; durationSeconds: number }
  | { kind: 'unknown' }
  | { kind: 'busy' }
  /** The client went before a slot was free: nothing was probed. */
  | { kind: 'gone' };

/**
 * Probes a configured target now, on a connection of its own, bounded by the target's timeout
 * and by the scrape timeout minus a small offset. At most `concurrency` run at once; a request
 * beyond that waits for a slot while its scrape budget leaves room for the probe, and is turned
 * away (`busy`, a 429) only when none frees up in time. A client that goes (`signal`) gives up
 * its place, and its probe's connection is dropped at once rather than kept to the timeout.
 * Only configured names are accepted, so the endpoint cannot be used to make the sidecar
 * connect anywhere else.
 */
export function createOnDemandProber(
  /** The configured target of that name, if there is one. */
  targetNamed: (name: string) => Target | undefined,
  proberFor: (target: Target) => TargetProber = createProber,
  concurrency = DEFAULT_PROBE_CONCURRENCY,
) {
  const slots = createSlots(concurrency);
  return async function probeNow(
    name: string,
    scrapeTimeoutSeconds: number | undefined,
    signal?: AbortSignal,
  ): Promise<OnDemandAnswer> {
    const configured = targetNamed(name);
    if (configured === undefined) return { kind: 'unknown' };
    // The whole answer must fit the scrape's budget: waiting for a slot spends part of it.
    const started = performance.now();
    const budget =
      scrapeTimeoutSeconds === undefined
        ? configured.timeoutMs * 2
        : scrapeTimeoutSeconds * 1000 - SCRAPE_OFFSET_MS;
    if (!(await slots.take(Math.max(0, budget - configured.timeoutMs), signal))) {
      return { kind: signal?.aborted === true ? 'gone' : 'busy' };
    }
    const left = budget - (performance.now() - started);
    const timeoutMs = Math.max(MIN_TIMEOUT_MS, Math.floor(Math.min(configured.timeoutMs, left)));
    const target = { ...configured, timeoutMs };
    const prober = proberFor(target);
    const drop = () => prober.drop();
    signal?.addEventListener('abort', drop, { once: true });
    try {
      const started = performance.now();
      const report = await prober.probe();
      return {
        kind: 'probed',
        target,
        report,
        durationSeconds: (performance.now() - started) / 1000,
      };
    } finally {
      signal?.removeEventListener('abort', drop);
      slots.release();
      // QUIT in the background: the answer does not wait for it.
      prober.close().catch(() => undefined);
    }
  };
}
