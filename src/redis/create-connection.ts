import { once } from 'node:events';
import Redis, { type RedisOptions } from 'ioredis';
import { formatHostPort } from '../config/host-port';
import type { Target } from '../config/types';
import type { ProbeConnection } from '../probe/run-probe';
import {
  ConnectError,
  currentPassword,
  currentSentinelTlsOptions,
  currentTlsOptions,
  readingFiles,
} from './access';
import { earliestExpiry, type CertificateView } from './peer-certificate';
import { ReplyLimit } from './reply-limit';

/** A probe connection that can also be closed politely at shutdown. */
export interface TargetConnection extends ProbeConnection {
  /** The address connected to now (for a sentinel target, the current master), if connected. */
  address(): string | undefined;
  /** Sends QUIT when connected (bounded by `timeoutMs`), then closes. */
  close(timeoutMs: number): Promise<void>;
  /** For TLS, the certificate expiring first that the server presented at the last connect. */
  certificate(): CertificateView | undefined;
}

/**
 * ioredis settings for health checking rather than for an application: nothing queues while
 * disconnected, no command is retried, and ioredis never reconnects on its own. The probe
 * schedule decides when to connect, so an open breaker really leaves Redis alone and a
 * reconnect happens at most once per probe, spaced by the jittered interval.
 */
export function connectionOptions(target: Target): ConnectionOptions {
  return {
    ...locate(target),
    db: target.db,
    ...(target.username !== undefined && { username: target.username }),
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: target.timeoutMs,
    // drop() destroys the socket itself; ioredis's own fallback timer need not wait long.
    disconnectTimeout: 100,
    // RESP2 and no CLIENT SETINFO: a connect costs at most AUTH, SELECT and CLIENT SETNAME.
    protocol: 2,
    disableClientInfo: true,
    connectionName: 'redis-health-sidecar',
    noDelay: true,
    keepAlive: 10_000,
  };
}

/** Where to connect: the endpoint itself, or the sentinels that know the current master. */
function locate(target: Target): RedisOptions {
  const { sentinel, endpoint } = target;
  if (sentinel === undefined) return 'path' in endpoint ? { path: endpoint.path } : endpoint;
  return {
    name: sentinel.masterName,
    sentinels: sentinel.sentinels,
    role: 'master',
    ...(sentinel.username !== undefined && { sentinelUsername: sentinel.username }),
    ...(sentinel.password !== undefined && { sentinelPassword: sentinel.password }),
    // Ask each sentinel once per connect; the probe schedule decides when to try again.
    sentinelRetryStrategy: () => null,
    sentinelCommandTimeout: target.timeoutMs,
    failoverDetector: false,
    updateSentinels: false,
    ...(target.tls !== undefined && { enableTLSForSentinelMode: true }),
  };
}

const SENTINEL_AUTH = /because (NOAUTH|WRONGPASS|NOPERM|ERR invalid password)/;

/**
 * ioredis reports both "no sentinel answered" and "no sentinel knows this master" as "All
 * sentinels are unreachable"; its per-sentinel errors tell the two apart.
 */
function explainSentinelFailure(
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
 * ioredis's options without `replyMapping`: its constructor infers that one from the argument,
 * and the optional-or-undefined form RedisOptions declares does not fit it.
 */
export type ConnectionOptions = Omit<RedisOptions, 'replyMapping'>;

/** Reads the password and certificate files now, so rotation needs no restart. */
export function refreshAccess(client: Redis, target: Target): void {
  client.options.password = readingFiles('auth', 'passwordFile', () => currentPassword(target));
  client.options.tls = readingFiles('tls', 'TLS files', () => currentTlsOptions(target));
  if (target.sentinel?.tls !== undefined) {
    client.options.sentinelTLS = readingFiles('tls', 'sentinel TLS files', () =>
      currentSentinelTlsOptions(target),
    );
  }
}

/** Ends a connection left half-way (dropped while connecting), so it can start over. */
export async function settle(client: Redis): Promise<void> {
  if (client.status === 'wait' || client.status === 'end') return;
  const ended = once(client, 'end');
  client.disconnect();
  await ended;
}

/** Builds the long-lived connection of one target. */
export function createConnection(target: Target): TargetConnection {
  return new KeptConnection(target);
}

// A class rather than closures: there is one per target (more for clusters and sentinels), and
// at thousands of targets methods shared on the prototype save most of a kilobyte each.
class KeptConnection implements TargetConnection {
  readonly #target: Target;
  readonly #client: Redis;
  #lastError: Error | undefined;
  #sentinelErrors: string[] = [];
  #lastDataAt: bigint | undefined;
  #lastWriteAt: bigint | undefined;
  #lastChunk: Buffer | undefined;
  /** The reply to the last command sent, as it arrives. */
  readonly #reply = new ReplyLimit();
  #certificate: CertificateView | undefined;

  constructor(target: Target) {
    this.#target = target;
    const client = new Redis(connectionOptions(target));
    this.#client = client;
    client.on('sentinelError', (error: Error) => this.#sentinelErrors.push(error.message));
    // Listening for 'error' also keeps ioredis from reporting it as unhandled.
    client.on('error', (error: Error) => (this.#lastError = this.#explain(error)));
    const noteData = (chunk: Buffer) => {
      this.#lastDataAt = process.hrtime.bigint();
      this.#lastChunk = chunk;
      const refused = this.#reply.take(chunk);
      if (refused !== undefined) this.#refuseReply(refused);
    };
    client.on('connect', () => {
      // Ahead of ioredis's own parser: the time is when the reply reached us, not when it was
      // parsed, and the bytes of a peer that does not speak RESP can be shown.
      client.stream.prependListener('data', noteData);
      this.#timeWrites(client.stream);
      this.#certificate = earliestExpiry(client.stream) ?? this.#certificate;
    });
  }

  async connect(): Promise<void> {
    const client = this.#client;
    const { sentinel } = this.#target;
    if (client.status === 'ready') return;
    await settle(client);
    this.#lastError = undefined;
    this.#lastChunk = undefined;
    this.#reply.reset();
    refreshAccess(client, this.#target);
    this.#sentinelErrors = [];
    await client.connect().catch((error: unknown) => {
      // Either this rejection or the 'error' event may carry the sentinels' verdict.
      if (sentinel === undefined || !(error instanceof Error)) throw error;
      throw explainSentinelFailure(error, this.#sentinelErrors, sentinel.masterName);
    });
  }

  send(command: string, ...args: string[]): Promise<unknown> {
    this.#reply.reset();
    return this.#client.call(command, ...args);
  }

  drop(): void {
    dropClient(this.#client);
  }

  lastError(): Error | undefined {
    return this.#lastError;
  }

  certificate(): CertificateView | undefined {
    return this.#certificate;
  }

  lastDataAt(): bigint | undefined {
    return this.#lastDataAt;
  }

  lastWriteAt(): bigint | undefined {
    return this.#lastWriteAt;
  }

  /** Notes when ioredis hands each command to the socket: where a round trip starts. */
  #timeWrites(socket: Redis['stream']): void {
    const write = socket.write.bind(socket);
    socket.write = ((...args: Parameters<typeof write>) => {
      this.#lastWriteAt = process.hrtime.bigint();
      return write(...args);
    }) as typeof write;
  }

  address(): string | undefined {
    const socket = this.#client.stream;
    if (this.#client.status !== 'ready' || socket?.remoteAddress === undefined) return undefined;
    return formatHostPort(socket.remoteAddress, socket.remotePort ?? '');
  }

  close(timeoutMs: number): Promise<void> {
    return quit(this.#client, timeoutMs);
  }

  /** Drops a connection whose reply outgrew the caps: the command fails as `protocol`. */
  #refuseReply(why: string): void {
    this.drop();
    this.#lastError = new ConnectError('protocol', `${why}: connection dropped`);
  }

  /** What an ioredis error means: the sentinels' verdict, a peer not speaking RESP, its words. */
  #explain(error: Error): Error {
    const { sentinel } = this.#target;
    if (sentinel !== undefined) {
      return explainSentinelFailure(error, this.#sentinelErrors, sentinel.masterName);
    }
    if (isNotResp(error)) {
      return new ConnectError('protocol', notRedis(this.#lastChunk), { cause: error });
    }
    return saidBeforeClosing(error, this.#lastChunk) ?? error;
  }
}

/**
 * Closes a connection at once. disconnect() alone ends the socket gracefully, and a hung or
 * stopped server never answers the FIN: destroy it so nothing lingers and the next connect
 * starts clean.
 */
export function dropClient(client: Redis): void {
  if (client.status === 'end') return;
  client.disconnect();
  client.stream?.destroy();
}

/** Sends QUIT when connected, bounded by `timeoutMs`, then closes; just closes otherwise. */
export async function quit(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  const timer = setTimeout(() => client.disconnect(), timeoutMs);
  await client.quit().catch(() => client.disconnect());
  clearTimeout(timer);
}

/**
 * A server that refuses a connection says why and closes it (`-ERR max number of clients
 * reached`): ioredis then reports only the broken pipe, the server's words are in the bytes.
 */
export function saidBeforeClosing(error: Error, chunk: Buffer | undefined): Error | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if ((code !== 'EPIPE' && code !== 'ECONNRESET') || chunk?.[0] !== 0x2d) return undefined;
  const line =
    chunk
      .subarray(1, 200)
      .toString('latin1')
      .split(/[\r\n]/)[0] ?? '';
  return new Error(line.replace(/[^\x20-\x7e]/g, '.'), { cause: error });
}

/** ioredis's decoder meeting a byte that starts no RESP reply. */
function isNotResp(error: Error): boolean {
  return /^Unknown RESP type/.test(error.message);
}

/** `not a Redis reply: "HTTP/1.1 400 Bad Request"`: the first line of what came back, printable. */
function notRedis(chunk: Buffer | undefined): string {
  const head =
    (chunk ?? Buffer.alloc(0))
      .subarray(0, 60)
      .toString('latin1')
      .split(/[\r\n]/)[0] ?? '';
  return `not a Redis reply: "${head.replace(/[^\x20-\x7e]/g, '.')}"`;
}
