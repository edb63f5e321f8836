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
  'busy',
  'noreplicas',
  'protocol',
  'pubsub',
  'inconclusive',
] as const;

export type Reason = (typeof reasons)[number];
/**
 * Why a probe did not succeed. `inconclusive` is the one that is not a failure: it timed out
 * while the sidecar itself was stalled, so the monitor retries instead of blaming Redis.
 */
export type FailureReason = Exclude<Reason, 'ok'>;

/** The outcome of one probe. A failed probe is a value, not an exception. */
export type ProbeResult =
  { ok: true; seconds: number } | { ok: false; reason: FailureReason; message: string };

/** Whether a result is `inconclusive`: a timeout while the sidecar itself was stalled. */
export function isInconclusive(
  result: ProbeResult,
): result is { ok: false; reason: 'inconclusive'; message: string } {
  return !result.ok && result.reason === 'inconclusive';
}

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
  'busy',
  'noreplicas',
]);
