import type { WriteCanary } from '../config/types';
import { failure, type ProbeResult } from './result';
import { runCommand, type ProbeConnection, type StallGauge } from './run-probe';

/**
 * SET the canary key with an expiry, then GET it, within `timeoutMs`: catches a Redis that
 * answers PING but refuses writes (READONLY, OOM, MISCONF). The key expires by itself.
 */
export async function runWriteCanary(
  connection: ProbeConnection,
  canary: WriteCanary,
  timeoutMs: number,
  stalled?: StallGauge,
): Promise<ProbeResult> {
  const started = performance.now();
  const value = String(Date.now());
  const set = await runCommand(
    connection,
    ['SET', canary.key, value, 'PX', String(canary.ttlMs)],
    timeoutMs,
    stalled,
  );
  if (!set.ok) return set;
  const remaining = Math.max(1, timeoutMs - (performance.now() - started));
  const get = await runCommand(connection, ['GET', canary.key], remaining, stalled);
  if (!get.ok) return get;
  if (get.reply === null) return failure('error', 'the canary key was gone right after SET');
  return { ok: true, seconds: set.seconds + get.seconds };
}
