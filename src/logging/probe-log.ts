import type { Logger } from 'pino';
import type { MonitorListener } from '../monitor/listener';
import { isInconclusive } from '../probe/result';

/** While a target keeps failing, at most one log line per this many milliseconds. */
const REPEAT_MS = 60_000;

export interface ProbeLogOptions {
  now?: () => number;
  /** Seconds the cgroup's CPU quota held the sidecar back so far, where readable. */
  throttledSeconds?: () => number | undefined;
}

/**
 * Logs what the monitor announces without flooding: the first failure of a run at warn, then
 * one "still failing" line per minute with the count (every failure at debug), one line when
 * the target answers again, and every breaker transition with the reason behind it.
 * Inconclusive probes (the sidecar itself was stalled) get one line a minute across targets.
 */
export function createProbeLog(logger: Logger, options: ProbeLogOptions = {}): MonitorListener {
  const now = options.now ?? Date.now;
  const runs = new Map<string, { failures: number; loggedAt: number; since: number }>();
  const stalls = createStallLog(logger, now, options.throttledSeconds ?? (() => undefined));
  return {
    probed(target, report) {
      const { result } = report;
      if (isInconclusive(result)) {
        stalls(target.name, report.stalledMs ?? 0);
        return;
      }
      const run = runs.get(target.name);
      if (result.ok) {
        if (run === undefined) return;
        runs.delete(target.name);
        logger.info(
          { target: target.name, failures: run.failures, downMs: now() - run.since },
          'target answers again',
        );
        return;
      }
      const fields = { target: target.name, reason: result.reason, error: result.message };
      if (run === undefined) {
        runs.set(target.name, { failures: 1, loggedAt: now(), since: now() });
        logger.warn(fields, 'probe failed');
        return;
      }
      run.failures += 1;
      if (now() - run.loggedAt >= REPEAT_MS) {
        run.loggedAt = now();
        logger.warn({ ...fields, failures: run.failures }, 'probe still failing');
      } else {
        logger.debug(fields, 'probe failed');
      }
    },
    transitioned(target, transition, reason) {
      const level = transition.to === 'open' ? 'warn' : 'info';
      logger[level](
        { target: target.name, ...transition, reason },
        `breaker ${transition.from} -> ${transition.to}`,
      );
    },
    removed: (target) => void runs.delete(target.name),
  };
}

/** One warn line a minute at most: how many probes were inconclusive and why. */
function createStallLog(
  logger: Logger,
  now: () => number,
  throttledSeconds: () => number | undefined,
) {
  let loggedAt = -Infinity;
  let probes = 0;
  let stalledMs = 0;
  const targets = new Set<string>();
  let throttledAt = throttledSeconds();
  return (target: string, probeStalledMs: number) => {
    probes += 1;
    stalledMs += probeStalledMs;
    targets.add(target);
    if (now() - loggedAt < REPEAT_MS) return;
    const throttled = throttledSeconds();
    const throttledMs =
      throttled === undefined || throttledAt === undefined
        ? undefined
        : Math.round((throttled - throttledAt) * 1000);
    const why = throttledMs === undefined || throttledMs === 0 ? '' : ', CPU throttled';
    logger.warn(
      { probes, targets: [...targets].slice(0, 10), stalledMs, throttledMs },
      `probes inconclusive: the sidecar was stalled ${stalledMs} ms${why}; retrying, not blaming Redis`,
    );
    loggedAt = now();
    throttledAt = throttled;
    probes = 0;
    stalledMs = 0;
    targets.clear();
  };
}
