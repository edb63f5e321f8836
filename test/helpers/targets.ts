import type { Target } from '../../src/config/types';

/** A standalone target with small numbers, for tests that never touch the network. */
export function makeTarget(overrides: Partial<Target> = {}): Target {
  return {
    name: 'main',
    mode: 'standalone',
    endpoint: { host: '127.0.0.1', port: 6379 },
    address: '127.0.0.1:6379',
    db: 0,
    required: true,
    intervalMs: 1000,
    timeoutMs: 200,
    breaker: { failureThreshold: 3, recoveryTimeoutMs: 10_000, successThreshold: 2 },
    infoIntervalMs: 30_000,
    connectCheckMs: 0,
    labels: {},
    checks: { role: 'any', reportOnly: false },
    ...overrides,
  };
}
