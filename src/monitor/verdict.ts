import type { Target } from '../config/types';
import type { ProbeResult } from '../probe/result';

/** What one probe's result means for the target once its history is taken into account. */
export type Verdict = { kind: 'inconclusive' } | { kind: 'counted'; result: ProbeResult };

/**
 * Decides what an inconclusive probe (a timeout while the sidecar itself was stalled) counts
 * as. While inconclusive probes have gone on for less than `failureThreshold × interval`, they
 * count as nothing and are retried; past that, each one counts as a timeout, so persistent
 * starvation cannot hide a dead Redis: it is reported within twice the usual bound.
 */
export function createVerdict(target: Target) {
  const graceMs = target.breaker.failureThreshold * target.intervalMs;
  let since: number | undefined;
  let count = 0;
  return {
    /** `startedAt` and `now` in epoch ms. */
    judge(result: ProbeResult, startedAt: number, now: number): Verdict {
      if (result.ok || result.reason !== 'inconclusive') {
        since = undefined;
        count = 0;
        return { kind: 'counted', result };
      }
      since ??= startedAt;
      count += 1;
      if (now - since < graceMs) return { kind: 'inconclusive' };
      const seconds = ((now - since) / 1000).toFixed(1);
      return {
        kind: 'counted',
        result: {
          ok: false,
          reason: 'timeout',
          message: `${result.message}; counted as a timeout: no conclusive answer for ${seconds}s (${count} probes)`,
        },
      };
    },
  };
}
