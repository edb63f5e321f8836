import { safeMessage } from '../logging/redact';
import type { ProbeConnection } from '../redis/connections';
import { classifyError, messageOf } from './classify';
import { STALLED_SHARE } from './report';
import { failure, type ProbeResult } from './result';

export type { ProbeConnection };

/** The reply to one command, or why there was none. */
export type CommandResult =
  { ok: true; reply: unknown; seconds: number } | Extract<ProbeResult, { ok: false }>;

const TIMED_OUT = Symbol('timed out');

/** Milliseconds of [from, to] (epoch ms) during which the sidecar itself could not run. */
export type StallGauge = (from: number, to: number) => number;

/**
 * Connects when needed, then sends one command, the two together bounded by `timeoutMs`.
 * When the deadline passes, whatever reply has reached the socket still counts. A timeout is
 * `inconclusive` when `stalled` says the sidecar itself could not run for much of the wait;
 * otherwise the connection is dropped, so a hung server or half-open TCP link cannot hold it.
 * `seconds` is the command's round trip alone, without the connect.
 */
export async function runCommand(
  connection: ProbeConnection,
  command: readonly [string, ...string[]],
  timeoutMs: number,
  stalled?: StallGauge,
): Promise<CommandResult> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    // After a stall, timers run before the poll phase that reads sockets: let it read first.
    timer = setTimeout(() => setImmediate(() => resolve(TIMED_OUT)), timeoutMs);
  });
  const bounded = <T>(work: Promise<T>): Promise<T | typeof TIMED_OUT> => {
    work.catch(() => undefined); // the loser of the race must not become an unhandled rejection
    return Promise.race([work, deadline]);
  };
  try {
    if ((await bounded(connection.connect())) === TIMED_OUT)
      return timedOut(connection, timeoutMs, startedAt, stalled);
    const asked = process.hrtime.bigint();
    const reply = await bounded(connection.send(...command));
    if (reply === TIMED_OUT) return timedOut(connection, timeoutMs, startedAt, stalled);
    const written = connection.lastWriteAt?.();
    const started = written !== undefined && written >= asked ? written : asked;
    const arrived = connection.lastDataAt?.();
    const ended = arrived !== undefined && arrived > started ? arrived : process.hrtime.bigint();
    return { ok: true, reply, seconds: Number(ended - started) / 1e9 };
  } catch (error) {
    const cause = isGenericSendError(error) ? (connection.lastError() ?? error) : error;
    const reason = classifyError(cause);
    // Start over after an auth failure: the next connect reads the (maybe rotated) password.
    if (reason === 'auth') connection.drop();
    return { ok: false, reason, message: safeMessage(describe(cause)) };
  } finally {
    clearTimeout(timer);
  }
}

/** One health probe: PING, healthy only when the reply is PONG. */
export async function runProbe(
  connection: ProbeConnection,
  timeoutMs: number,
  stalled?: StallGauge,
): Promise<ProbeResult> {
  const result = await runCommand(connection, ['PING'], timeoutMs, stalled);
  if (!result.ok) return result;
  if (result.reply !== 'PONG') {
    return failure('error', safeMessage(`unexpected reply to PING: ${String(result.reply)}`));
  }
  return { ok: true, seconds: result.seconds };
}

function timedOut(
  connection: ProbeConnection,
  timeoutMs: number,
  startedAt: number,
  stalled: StallGauge | undefined,
) {
  const now = Date.now();
  const stalledMs = Math.round(stalled?.(startedAt, now) ?? 0);
  if (stalledMs > 0 && stalledMs >= STALLED_SHARE * (now - startedAt)) {
    // Keep the connection: it may be healthy, and a reconnect costs CPU the sidecar lacks.
    const message = `no reply within ${timeoutMs}ms while the sidecar itself was stalled ${stalledMs}ms`;
    return { ok: false, reason: 'inconclusive', message } as const;
  }
  connection.drop();
  return { ok: false, reason: 'timeout', message: `no reply within ${timeoutMs}ms` } as const;
}

/** ioredis's own wording, which hides the cause the connection noted (refused, auth, not RESP). */
function isGenericSendError(error: unknown): boolean {
  return /stream isn't writeable|connection is closed|^Unknown RESP type/i.test(messageOf(error));
}

function describe(error: unknown): string {
  const message = messageOf(error);
  const code = typeof error === 'object' ? (error as { code?: unknown } | null)?.code : undefined;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
