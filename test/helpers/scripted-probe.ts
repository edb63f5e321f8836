import type { ProbeResult } from '../../src/probe/result';

export const ok: ProbeResult = { ok: true, seconds: 0.0005 };
export const refused: ProbeResult = {
  ok: false,
  reason: 'refused',
  message: 'connect ECONNREFUSED',
};

/**
 * A probe whose answers the test sets: `answer` decides every result from now on, and
 * `hang()` makes probes wait until `release()`. Counts the probes started.
 */
export function createScriptedProbe(initial: ProbeResult = ok) {
  let answer = initial;
  let hanging: Array<(result: ProbeResult) => void> | undefined;
  const probe = {
    started: 0,
    answer(result: ProbeResult) {
      answer = result;
    },
    hang() {
      hanging = [];
    },
    release(result: ProbeResult = answer) {
      const waiting = hanging ?? [];
      hanging = undefined;
      for (const resolve of waiting) resolve(result);
    },
    run(): Promise<ProbeResult> {
      probe.started += 1;
      if (hanging !== undefined) {
        const waiting = hanging;
        return new Promise((resolve) => waiting.push(resolve));
      }
      return Promise.resolve(answer);
    },
  };
  return probe;
}
