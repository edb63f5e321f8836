import type { Target } from '../config/types';
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
  | { kind: 'busy' };

/**
 * Probes a configured target now, on a connection of its own, bounded by the target's timeout
 * and by the scrape timeout minus a small offset. At most `concurrency` run at once; a request
 * beyond that waits for a slot while its scrape budget leaves room for the probe, and is turned
 * away (`busy`, a 429) only when none frees up in time. Only configured names are accepted, so the
 * endpoint cannot be used to make the sidecar connect anywhere else.
 */
export function createOnDemandProber(
  targets: () => readonly Target[],
  proberFor: (target: Target) => TargetProber = createProber,
  concurrency = DEFAULT_PROBE_CONCURRENCY,
) {
  let running = 0;
  /** Requests waiting for a free slot, first come first served. */
  const waiting: Array<() => void> = [];
  /** Takes a slot within `ms`, or resolves false when none frees up in time. */
  const slot = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (running < concurrency) {
        running += 1;
        resolve(true);
        return;
      }
      const take = () => {
        clearTimeout(timer);
        running += 1;
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(take), 1);
        resolve(false);
      }, ms);
      waiting.push(take);
    });
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return async function probeNow(
    name: string,
    scrapeTimeoutSeconds: number | undefined,
  ): Promise<OnDemandAnswer> {
    const configured = targets().find((target) => target.name === name);
    if (configured === undefined) return { kind: 'unknown' };
    // The whole answer must fit the scrape's budget: waiting for a slot spends part of it.
    const started = performance.now();
    const budget =
      scrapeTimeoutSeconds === undefined
        ? configured.timeoutMs * 2
        : scrapeTimeoutSeconds * 1000 - SCRAPE_OFFSET_MS;
    if (!(await slot(Math.max(0, budget - configured.timeoutMs)))) return { kind: 'busy' };
    const left = budget - (performance.now() - started);
    const timeoutMs = Math.max(MIN_TIMEOUT_MS, Math.floor(Math.min(configured.timeoutMs, left)));
    const target = { ...configured, timeoutMs };
    const prober = proberFor(target);
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
      release();
      // QUIT in the background: the answer does not wait for it.
      prober.close().catch(() => undefined);
    }
  };
}
