import { once } from 'node:events';
import Redis from 'ioredis';
import { formatHostPort } from '../config/host-port';
import type { Target } from '../config/types';
import type { ProbeConnection } from './connections';
import { ConnectError } from './access';
import {
  explainSentinelFailure,
  isNotResp,
  notRedis,
  saidBeforeClosing,
} from './connection-errors';
import { connectionOptions, refreshAccess } from './connection-options';
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
