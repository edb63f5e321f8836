import type { BreakerSettings } from '../breaker/breaker';
import type { Listen } from './listen';
import { shardOf, type Sharding } from './shard';
import type {
  ClusterSettings,
  HttpSettings,
  LogFormat,
  LogLevel,
  SentinelSettings,
  TlsSettings,
} from './schema';

export type { ClusterSettings, HttpSettings, Listen, SentinelSettings, Sharding, TlsSettings };

/** Where a standalone Redis listens: TCP host and port, or a unix socket path. */
export type Endpoint = { host: string; port: number } | { path: string };

export type TargetMode = 'standalone' | 'sentinel' | 'cluster';

/** Facts from INFO that must hold for the target to be ready (unless `reportOnly`). */
export interface TargetChecks {
  role: 'master' | 'replica' | 'any';
  maxMemoryRatio?: number;
  /** Longest time since the replica last heard from its master (`master_last_io_seconds_ago`). */
  maxReplicationLagMs?: number;
  maxClientsRatio?: number;
  /** Failing checks are shown but never make the target unready. */
  reportOnly: boolean;
}

/** The opt-in write canary: SET key (with expiry) then GET it back. */
export interface WriteCanary {
  key: string;
  ttlMs: number;
}

/** A target ready to use: defaults applied, URL parsed. `password` never leaves the redis/ module. */
export interface Target {
  name: string;
  mode: TargetMode;
  /**
   * The Redis itself; for a sentinel target the first sentinel (the master is looked up), for
   * a cluster target the first seed node.
   */
  endpoint: Endpoint;
  sentinel?: SentinelSettings;
  cluster?: ClusterSettings;
  /**
   * Host:port or socket path: safe to show, never carries credentials. For a sentinel target,
   * the master name until the first connect; the monitor then reports the master's address.
   * For a cluster target, the seed nodes joined by commas.
   */
  address: string;
  db: number;
  /** Set for `rediss://` targets, and for sentinel and cluster targets with a `tls` key. */
  tls?: TlsSettings;
  username?: string;
  password?: string;
  /** Read at each connect, so a rotated Kubernetes Secret is picked up on the next connect. */
  passwordFile?: string;
  required: boolean;
  intervalMs: number;
  timeoutMs: number;
  breaker: BreakerSettings;
  /** How often INFO is read (the first time at the first probe that gets an answer). */
  infoIntervalMs: number;
  /**
   * How often a brand-new connection is opened the whole way (DNS, TCP, TLS, AUTH, SELECT,
   * PING) beside the long-lived one; 0 turns it off.
   */
  connectCheckMs: number;
  checks: TargetChecks;
  write?: WriteCanary;
  /** Extra labels (`defaults.labels` with the target's own over them), for target_info and /targets. */
  labels: Record<string, string>;
  /** The opt-in pub/sub round trip: PUBLISH on the probe connection, SUBSCRIBE on a second. */
  pubsub?: { channel: string };
}

export interface Config {
  listen: Listen;
  /** Which targets this process probes: those whose name hashes to `shard` of `total`. */
  sharding: Sharding;
  http: HttpSettings;
  shutdownDelayMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Every target: the file's own, then those of `targetFiles` (all shards'; see shardTargets). */
  targets: Target[];
  /** With `targetFiles`: what each file gave, and the files that broke at this load. */
  targetFiles?: TargetFiles;
}

/** What `targetFiles` gave: each matched file's targets, and those that broke at a reload. */
export interface TargetFiles {
  /** The globs, and the folder they are relative to: what a reload watches. */
  patterns: string[];
  dir: string;
  /** Resolved targets by file (relative to the config's folder), in file order. */
  byFile: Record<string, Target[]>;
  /** `file:line: path: problem` of each file that broke at a reload and kept its targets. */
  broken: string[];
}

/** The targets this process probes and exports: its shard's share of `config.targets`. */
export function shardTargets(config: Pick<Config, 'targets' | 'sharding'>): Target[] {
  const { shard, total } = config.sharding;
  if (total === 1) return config.targets;
  return config.targets.filter((target) => shardOf(target.name, total) === shard);
}
