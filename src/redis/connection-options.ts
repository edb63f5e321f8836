import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Target } from '../config/types';
import {
  currentPassword,
  currentSentinelTlsOptions,
  currentTlsOptions,
  readingFiles,
} from './access';

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
