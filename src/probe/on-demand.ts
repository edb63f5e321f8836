import type { Target } from '../config/types';
import type { ProbeAnswer } from '../http/app';
import { renderMetrics } from '../metrics/exposition';
import { createProbeRegistry } from '../metrics/probe-metrics';
import { createProber } from './prober';

/** At most this many on-demand probes run at once; more get a 429. */
const MAX_CONCURRENT = 8;
/** Time kept back from Prometheus's scrape timeout for rendering and the network. */
const SCRAPE_OFFSET_MS = 500;
const MIN_TIMEOUT_MS = 100;

/**
 * Probes a configured target now, on a connection of its own, bounded by the target's timeout
 * and by the scrape timeout minus a small offset. Only configured names are accepted, so the
 * endpoint cannot be used to make the sidecar connect anywhere else.
 */
export function createOnDemandProber(targets: () => readonly Target[]) {
  let running = 0;
  return async function probeNow(
    name: string,
    scrapeTimeoutSeconds: number | undefined,
    openMetrics: boolean,
  ): Promise<ProbeAnswer> {
    const configured = targets().find((target) => target.name === name);
    if (configured === undefined) return { kind: 'unknown' };
    if (running >= MAX_CONCURRENT) return { kind: 'busy' };
    const budget =
      scrapeTimeoutSeconds === undefined
        ? configured.timeoutMs
        : Math.min(configured.timeoutMs, scrapeTimeoutSeconds * 1000 - SCRAPE_OFFSET_MS);
    const target = { ...configured, timeoutMs: Math.max(MIN_TIMEOUT_MS, Math.floor(budget)) };
    running += 1;
    const prober = createProber(target);
    try {
      const started = performance.now();
      const result = await prober.probe();
      const durationSeconds = (performance.now() - started) / 1000;
      const info = prober.facts?.();
      const registry = createProbeRegistry({
        target,
        address: prober.address?.() ?? target.address,
        result,
        durationSeconds,
        ...(info !== undefined && { info }),
      });
      return { kind: 'metrics', ...(await renderMetrics(registry, openMetrics)) };
    } finally {
      running -= 1;
      // QUIT in the background: the answer does not wait for it.
      prober.close().catch(() => undefined);
    }
  };
}
