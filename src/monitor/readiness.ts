import type { TargetStatus } from './target-status';

/** One line of /readyz?verbose: `[+]target:main ok` or `[-]target:cache failed: timeout (breaker open)`. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** `ok`, or why not. */
  detail: string;
  /** Whether a failure of this check makes the sidecar unready (false for `required: false`). */
  gating: boolean;
}

/**
 * A target is ready when its breaker is closed and it has answered at least once: a sidecar
 * that has never reached Redis must not report the application ready.
 */
export function targetReadiness(status: TargetStatus): { ok: boolean; detail: string } {
  const reason = status.lastFailure?.reason;
  if (status.breaker !== 'closed') {
    return { ok: false, detail: `${reason ?? 'error'} (breaker ${status.breaker})` };
  }
  if (status.lastSuccessAt === undefined) {
    return {
      ok: false,
      detail: reason === undefined ? 'not probed yet' : `${reason} (never answered)`,
    };
  }
  return { ok: true, detail: 'ok' };
}

/** Every check /readyz runs: shutdown first, then one per target in config order. */
export function readinessChecks(
  statuses: readonly TargetStatus[],
  shuttingDown: boolean,
): ReadinessCheck[] {
  const shutdown: ReadinessCheck = {
    name: 'shutdown',
    ok: !shuttingDown,
    detail: shuttingDown ? 'shutting down' : 'ok',
    gating: true,
  };
  return [
    shutdown,
    ...statuses.map((status) => ({
      name: `target:${status.target.name}`,
      ...targetReadiness(status),
      gating: status.target.required,
    })),
  ];
}

/** Whether every gating check passes. */
export function isReady(checks: readonly ReadinessCheck[]): boolean {
  return checks.every((check) => check.ok || !check.gating);
}
