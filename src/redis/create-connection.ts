import { once } from 'node:events';
import Redis, { type RedisOptions } from 'ioredis';
import type { Target } from '../config/types';
import type { ProbeConnection } from '../probe/run-probe';
import { currentPassword, currentTlsOptions, readingFiles } from './access';

/** A probe connection that can also be closed politely at shutdown. */
export interface TargetConnection extends ProbeConnection {
  /** Sends QUIT when connected (bounded by `timeoutMs`), then closes. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * ioredis settings for health checking rather than for an application: nothing queues while
 * disconnected, no command is retried, and ioredis never reconnects on its own. The probe
 * schedule decides when to connect, so an open breaker really leaves Redis alone and a
 * reconnect happens at most once per probe, spaced by the jittered interval.
 */
export function connectionOptions(target: Target): RedisOptions {
  const endpoint = 'path' in target.endpoint ? { path: target.endpoint.path } : target.endpoint;
  return {
    ...endpoint,
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

/** Builds the long-lived connection of one standalone target. */
export function createConnection(target: Target): TargetConnection {
  const client = new Redis(connectionOptions(target));
  let lastError: Error | undefined;
  // Listening for 'error' also keeps ioredis from reporting it as unhandled.
  client.on('error', (error: Error) => {
    lastError = error;
  });
  client.on('ready', () => {
    lastError = undefined;
  });

  return {
    async connect() {
      if (client.status === 'ready') return;
      if (client.status !== 'wait' && client.status !== 'end') {
        // A connection left half-way (dropped while connecting): let it end before starting over.
        const ended = once(client, 'end');
        client.disconnect();
        await ended;
      }
      // Secrets and certificates are read at every connect, so rotation needs no restart.
      client.options.password = readingFiles('auth', 'passwordFile', () => currentPassword(target));
      client.options.tls = readingFiles('tls', 'TLS files', () => currentTlsOptions(target));
      await client.connect();
    },
    ping: () => client.ping(),
    drop() {
      if (client.status === 'end') return;
      // disconnect() alone ends the socket gracefully, and a hung or stopped server never
      // answers the FIN: destroy it so nothing lingers and the next probe starts clean.
      client.disconnect();
      client.stream?.destroy();
    },
    lastError: () => lastError,
    async close(timeoutMs) {
      if (client.status !== 'ready') {
        client.disconnect();
        return;
      }
      const timer = setTimeout(() => client.disconnect(), timeoutMs);
      await client.quit().catch(() => client.disconnect());
      clearTimeout(timer);
    },
  };
}
