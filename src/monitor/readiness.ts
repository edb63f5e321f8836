import { evaluateChecks } from './checks';
import { answeredReasons } from '../probe/result';
import type { TargetStatus } from './target-status';

/** One line of /readyz?verbose: `[+]target:main ok` or `[-]target:cache failed: timeout (breaker open)`. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** `ok`, or why not. */
  detail: string;
  /** Whether a failure of this check makes the sidecar unready (false for `required: false`). */
  gating: boolean;
  /** A target's failing report-only checks: ready, but worth a warning. */
  warning?: string;
  /** A target's last PING round trip, in milliseconds. */
  latencyMs?: number;
  /** Unix ms of the target's last probe. */
  probedAt?: number;
}

/**
 * A target is ready when its breaker is closed, it has answered at least once (a sidecar that
 * has never reached Redis must not report the application ready) and its checks pass, unless
 * they are report-only.
 */
export function targetReadiness(status: TargetStatus): {
  ok: boolean;
  detail: string;
  warning?: string;
} {
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
  const failing = evaluateChecks(status).filter((check) => !check.ok);
  // A replica cut off from its master fails both `sync` and `replication`: say it once.
  const detail = [...new Set(failing.map((check) => check.detail))].join('; ');
  if (failing.length === 0) return { ok: true, detail: 'ok' };
  return status.target.checks.reportOnly
    ? { ok: true, detail: 'ok', warning: detail }
    : { ok: false, detail };
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
      ...(status.lastLatencySeconds !== undefined && {
        latencyMs: Math.round(status.lastLatencySeconds * 1e6) / 1000,
      }),
      ...(status.lastProbeAt !== undefined && { probedAt: status.lastProbeAt }),
    })),
  ];
}

/** The one place readiness is decided: /readyz, its JSON and the `redis_health_ready` gauge read it. */
export interface Readiness {
  checks(): ReadinessCheck[];
  /** Whether every gating check passes: what /readyz answers. */
  ready(): boolean;
  shuttingDown(): boolean;
  /** /readyz fails from now on. */
  beginShutdown(): void;
}

export function createReadiness(statuses: () => readonly TargetStatus[]): Readiness {
  let shuttingDown = false;
  const checks = () => readinessChecks(statuses(), shuttingDown);
  return {
    checks,
    ready: () => isReady(checks()),
    shuttingDown: () => shuttingDown,
    beginShutdown() {
      shuttingDown = true;
    },
  };
}

/** Whether every gating check passes. */
export function isReady(checks: readonly ReadinessCheck[]): boolean {
  return checks.every((check) => check.ok || !check.gating);
}

/**
 * For a Redis container's own liveness probe: whether its process answered the last probe at
 * all. PONG, LOADING, MASTERDOWN and other error replies count (restarting a loading Redis or
 * a replica waiting for its master makes things worse); refused, timeout and closed do not.
 * Before the first probe it counts as alive, so a starting Redis is not killed.
 */
export function redisAlive(status: TargetStatus): { alive: boolean; detail: string } {
  if (status.up === undefined) return { alive: true, detail: 'ok: not probed yet' };
  if (status.up) return { alive: true, detail: 'ok' };
  const reason = status.lastFailure?.reason ?? 'error';
  return answeredReasons.has(reason)
    ? { alive: true, detail: `ok: answers (${reason})` }
    : { alive: false, detail: `failed: ${reason}` };
}
