import { ConnectError } from './access';

// What ioredis's errors mean, in words a person can act on: its own wording hides the cause.

const SENTINEL_AUTH = /because (NOAUTH|WRONGPASS|NOPERM|ERR invalid password)/;

/**
 * ioredis reports both "no sentinel answered" and "no sentinel knows this master" as "All
 * sentinels are unreachable"; its per-sentinel errors tell the two apart.
 */
export function explainSentinelFailure(
  error: Error,
  perSentinel: readonly string[],
  masterName: string,
): Error {
  if (!error.message.startsWith('All sentinels are unreachable')) return error;
  const asked = perSentinel.length;
  if (asked > 0 && perSentinel.every((message) => message.includes('invalid reply'))) {
    return new ConnectError('error', `no sentinel knows master "${masterName}" (asked ${asked})`, {
      cause: error,
    });
  }
  const last = perSentinel.at(-1)?.replace(/^failed to connect to sentinel /, '') ?? error.message;
  // A sentinel that refuses the credentials was reached: that is a wrong password, not a network.
  if (asked > 0 && perSentinel.every((message) => SENTINEL_AUTH.test(message))) {
    return new ConnectError(
      'auth',
      `no sentinel accepted the credentials (tried ${asked}): ${last}`,
      {
        cause: error,
      },
    );
  }
  return new ConnectError('refused', `no sentinel reachable (tried ${asked}): ${last}`, {
    cause: error,
  });
}

/**
 * A server that refuses a connection says why and closes it (`-ERR max number of clients
 * reached`): ioredis then reports only the broken pipe, the server's words are in the bytes.
 */
export function saidBeforeClosing(error: Error, chunk: Buffer | undefined): Error | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if ((code !== 'EPIPE' && code !== 'ECONNRESET') || chunk?.[0] !== 0x2d) return undefined;
  return new Error(printableFirstLine(chunk.subarray(1, 200)), { cause: error });
}

/** ioredis's decoder meeting a byte that starts no RESP reply. */
export function isNotResp(error: Error): boolean {
  return /^Unknown RESP type/.test(error.message);
}

/** `not a Redis reply: "HTTP/1.1 400 Bad Request"`: the first line of what came back, printable. */
export function notRedis(chunk: Buffer | undefined): string {
  return `not a Redis reply: "${printableFirstLine((chunk ?? Buffer.alloc(0)).subarray(0, 60))}"`;
}

/** The first line of some bytes, each unprintable character shown as a dot. */
function printableFirstLine(bytes: Buffer): string {
  const line = bytes.toString('latin1').split(/[\r\n]/)[0] ?? '';
  return line.replace(/[^\x20-\x7e]/g, '.');
}
