import { safeMessage } from '../redact';
import { classifyError } from './classify';
import { failure, type ProbeResult } from './result';

/** What a probe needs from a Redis connection; built by the redis/ module from a target. */
export interface ProbeConnection {
  /** Connects (with handshake) unless already connected. */
  connect(): Promise<void>;
  /** Sends one PING and resolves to its reply. */
  ping(): Promise<string>;
  /** Drops the connection at once, without QUIT; the next probe connects anew. */
  drop(): void;
  /**
   * The connection's own last error. Sending while disconnected fails with a generic error
   * ("Stream isn't writeable") that hides the real cause (refused, auth, dns): this has it.
   */
  lastError(): Error | undefined;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Runs one probe: connect when needed, then PING, the two together bounded by `timeoutMs`.
 * On timeout the connection is dropped, so a hung server or half-open TCP link cannot hold it.
 * `seconds` is the PING round trip alone, without the connect.
 */
export async function runProbe(
  connection: ProbeConnection,
  timeoutMs: number,
): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  const bounded = <T>(work: Promise<T>): Promise<T | typeof TIMED_OUT> => {
    work.catch(() => undefined); // the loser of the race must not become an unhandled rejection
    return Promise.race([work, deadline]);
  };
  try {
    if ((await bounded(connection.connect())) === TIMED_OUT) return timedOut(connection, timeoutMs);
    const started = process.hrtime.bigint();
    const reply = await bounded(connection.ping());
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (reply === TIMED_OUT) return timedOut(connection, timeoutMs);
    if (reply !== 'PONG')
      return failure('error', `unexpected reply to PING: ${safeMessage(reply)}`);
    return { ok: true, seconds };
  } catch (error) {
    const cause = isGenericSendError(error) ? (connection.lastError() ?? error) : error;
    const reason = classifyError(cause);
    // Start over after an auth failure: the next connect reads the (maybe rotated) password.
    if (reason === 'auth') connection.drop();
    return failure(reason, safeMessage(describe(cause)));
  } finally {
    clearTimeout(timer);
  }
}

function timedOut(connection: ProbeConnection, timeoutMs: number): ProbeResult {
  connection.drop();
  return failure('timeout', `no reply within ${timeoutMs}ms`);
}

function isGenericSendError(error: unknown): boolean {
  return (
    error instanceof Error && /stream isn't writeable|connection is closed/i.test(error.message)
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}
