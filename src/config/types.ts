import type { LogLevel } from './schema';

/** Breaker settings of one target, durations in milliseconds. */
export interface BreakerOptions {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  successThreshold: number;
}

/** Where a standalone Redis listens: TCP host and port, or a unix socket path. */
export type Endpoint = { host: string; port: number } | { path: string };

/** A target ready to use: defaults applied, URL parsed. `password` never leaves the redis/ module. */
export interface Target {
  name: string;
  mode: 'standalone';
  endpoint: Endpoint;
  /** Host:port or socket path: safe to show, never carries credentials. */
  address: string;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  required: boolean;
  intervalMs: number;
  timeoutMs: number;
  breaker: BreakerOptions;
}

export interface Listen {
  host: string;
  port: number;
}

export interface Config {
  listen: Listen;
  shutdownDelayMs: number;
  logLevel: LogLevel;
  targets: Target[];
}
