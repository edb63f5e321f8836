import type { Logger } from 'pino';
import type { MonitorListener } from '../monitor/listener';

/** While a target keeps failing, at most one log line per this many milliseconds. */
const REPEAT_MS = 60_000;

/**
 * Logs what the monitor announces without flooding: the first failure of a run at warn, then
 * one "still failing" line per minute with the count (every failure at debug), one line when
 * the target answers again, and every breaker transition with the reason behind it.
 */
export function createProbeLog(logger: Logger, now: () => number = Date.now): MonitorListener {
  const runs = new Map<string, { failures: number; loggedAt: number; since: number }>();
  return {
    probed(target, { result }) {
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
