/** Every value of the `result` label: `ok` and the fixed failure reasons. Never raw error text. */
export const reasons = [
  'ok',
  'timeout',
  'refused',
  'auth',
  'loading',
  'masterdown',
  'readonly',
  'oom',
  'misconf',
  'tls',
  'dns',
  'closed',
  'error',
] as const;

export type Reason = (typeof reasons)[number];
export type FailureReason = Exclude<Reason, 'ok'>;

/** The outcome of one probe. A failed probe is a value, not an exception. */
export type ProbeResult =
  { ok: true; seconds: number } | { ok: false; reason: FailureReason; message: string };

export function failure(reason: FailureReason, message: string): ProbeResult {
  return { ok: false, reason, message };
}

/**
 * Failures where Redis itself replied (an error reply, not a broken connection): its process
 * is alive, which is what a Redis container's liveness probe asks.
 */
export const answeredReasons: ReadonlySet<FailureReason> = new Set([
  'loading',
  'masterdown',
  'readonly',
  'oom',
  'misconf',
  'auth',
]);
