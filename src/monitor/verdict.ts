import type { Target } from '../config/types';
import { isInconclusive, type ProbeResult } from '../probe/result';

/** What one probe's result means for the target once its history is taken into account. */
export type Verdict =
  | { kind: 'inconclusive'; message: string }
  /** `overdue`: an inconclusive probe counted as a timeout; the next one should go promptly. */
  | { kind: 'counted'; result: ProbeResult; overdue?: boolean };

/**
 * Decides what an inconclusive probe (a timeout while the sidecar itself was stalled) counts
 * as. Until `failureThreshold × interval` has passed since the last conclusive answer, it
 * counts as nothing and is retried; after that, each one counts as a timeout. So persistent
 * starvation cannot hide a dead Redis: a hang is reported within twice the usual bound.
 */
export function createVerdict(target: Target) {
  const graceMs = target.breaker.failureThreshold * target.intervalMs;
  let lastConclusiveAt: number | undefined;
  let count = 0;
  return {
    /** `startedAt` and `now` in epoch ms. */
    judge(result: ProbeResult, startedAt: number, now: number): Verdict {
      if (!isInconclusive(result)) {
        lastConclusiveAt = now;
        count = 0;
        return { kind: 'counted', result };
      }
      lastConclusiveAt ??= startedAt;
      count += 1;
      const waitedMs = now - lastConclusiveAt;
      if (waitedMs < graceMs) return { kind: 'inconclusive', message: result.message };
      return {
        kind: 'counted',
        // The grace used up time: the next probes go promptly so the bound still holds.
        overdue: true,
        result: {
          ok: false,
          reason: 'timeout',
          message: `${result.message}; counted as a timeout: no conclusive answer for ${(waitedMs / 1000).toFixed(1)}s (${count} inconclusive probes)`,
        },
      };
    },
  };
}
