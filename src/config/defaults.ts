import type { BreakerOptions } from './types';

/** Defaults from the product design; breaker values match what Redis-backed services use. */
export const defaultOptions = {
  listen: '0.0.0.0:19121',
  shutdownDelayMs: 5000,
  logLevel: 'info',
  intervalMs: 5000,
  timeoutMs: 1000,
  breaker: {
    failureThreshold: 5,
    recoveryTimeoutMs: 60_000,
    successThreshold: 2,
  } satisfies BreakerOptions,
  url: 'redis://127.0.0.1:6379/0',
  infoIntervalMs: 30_000,
  write: { key: 'redis-health-sidecar:canary', ttlMs: 10_000 },
} as const;
