import type { Target } from '../config/types';
import { createProber } from './prober';
import type { ProbeReport, TargetProber } from './report';

/** At most this many on-demand probes run at once; more are turned away. */
const MAX_CONCURRENT = 8;
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
 * and by the scrape timeout minus a small offset. Only configured names are accepted, so the
 * endpoint cannot be used to make the sidecar connect anywhere else.
 */
export function createOnDemandProber(
  targets: () => readonly Target[],
  proberFor: (target: Target) => TargetProber = createProber,
) {
  let running = 0;
  return async function probeNow(
    name: string,
    scrapeTimeoutSeconds: number | undefined,
  ): Promise<OnDemandAnswer> {
    const configured = targets().find((target) => target.name === name);
    if (configured === undefined) return { kind: 'unknown' };
    if (running >= MAX_CONCURRENT) return { kind: 'busy' };
    const budget =
      scrapeTimeoutSeconds === undefined
        ? configured.timeoutMs
        : Math.min(configured.timeoutMs, scrapeTimeoutSeconds * 1000 - SCRAPE_OFFSET_MS);
    const target = { ...configured, timeoutMs: Math.max(MIN_TIMEOUT_MS, Math.floor(budget)) };
    running += 1;
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
      running -= 1;
      // QUIT in the background: the answer does not wait for it.
      prober.close().catch(() => undefined);
    }
  };
}
