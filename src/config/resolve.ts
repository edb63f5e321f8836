import type { KeyedProblem } from './errors';
import { resolveAccess, checkReadable } from './resolve-access';
import { resolveLocation } from './resolve-location';
import type { CheckedConfig, CheckedDefaults, CheckedTarget, HttpSettings } from './schema';
import type { Sharding } from './shard';
import {
  shardTargets,
  type Config,
  type Target,
  type TargetChecks,
  type TargetFiles,
} from './types';

/**
 * What the schema cannot do for a checked config: targets inherit from `defaults`, cross-field
 * rules, URLs, and files that must be readable. Collects problems rather than throwing.
 */
export function resolveConfig(
  input: CheckedConfig,
  problems: KeyedProblem[],
  sharding: Sharding = { shard: 0, total: 1 },
  files?: TargetFiles,
): Config {
  const seen = new Map<string, string>();
  /** Names must be unique across the file and the target files: the second use is the problem. */
  const unique = (name: string, origin: string, keys: PropertyKey[]) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      problems.push({ keys, message: `"${name}" is already the name of ${earlier}` });
    }
    seen.set(name, origin);
  };
  const targets = input.targets.flatMap((target, index) => {
    unique(target.name, `targets[${index}]`, ['targets', index, 'name']);
    return resolveTarget(target, input.defaults, ['targets', index], problems) ?? [];
  });
  for (const [file, fileTargets] of Object.entries(files?.byFile ?? {})) {
    fileTargets.forEach((target, index) => {
      unique(target.name, `${file}[${index}]`, ['targetFiles', `${file}[${index}]`]);
      targets.push(target);
    });
  }
  if (targets.length === 0 && problems.length === 0) {
    problems.push({
      keys: ['targets'],
      message: 'must list at least one target (here or in targetFiles)',
    });
  }
  checkTargetCount(targets, sharding, problems);
  return {
    listen: input.listen,
    sharding,
    shutdownDelayMs: input.shutdownDelay,
    http: checkHttp(input.http, problems),
    logLevel: input.log.level,
    logFormat: input.log.format,
    targets,
    ...(files !== undefined && { targetFiles: files }),
  };
}

/** One target with `defaults` applied; `at` is its key path, for problems. */
export function resolveTarget(
  input: CheckedTarget,
  defaults: CheckedDefaults,
  at: readonly PropertyKey[],
  problems: KeyedProblem[],
): Target | undefined {
  const location = resolveLocation(input, at, problems);
  if (location === undefined) return undefined;
  const { sentinel, cluster, endpoint, address, db } = location;
  const intervalMs = input.interval ?? defaults.interval;
  const timeoutMs = input.timeout ?? defaults.timeout;
  if (timeoutMs > intervalMs) {
    problems.push({
      keys: [...at, input.timeout === undefined ? 'interval' : 'timeout'],
      message: `timeout (${timeoutMs}ms) must not be longer than interval (${intervalMs}ms)`,
    });
  }
  if (input.pubsub !== undefined && cluster !== undefined) {
    problems.push({
      keys: [...at, 'pubsub'],
      message: 'goes with a url or sentinel target, not a cluster',
    });
  }
  const own = input.breaker ?? {};
  return {
    name: input.name,
    mode: sentinel !== undefined ? 'sentinel' : cluster !== undefined ? 'cluster' : 'standalone',
    ...(sentinel !== undefined && { sentinel }),
    ...(cluster !== undefined && { cluster }),
    endpoint,
    address,
    db,
    ...resolveAccess(input, location, [...at], problems),
    required: input.required ?? true,
    intervalMs,
    timeoutMs,
    breaker: {
      failureThreshold: own.failureThreshold ?? defaults.breaker.failureThreshold,
      recoveryTimeoutMs: own.recoveryTimeout ?? defaults.breaker.recoveryTimeout,
      successThreshold: own.successThreshold ?? defaults.breaker.successThreshold,
    },
    infoIntervalMs: input.infoInterval ?? defaults.infoInterval,
    connectCheckMs: input.connectCheck ?? defaults.connectCheck,
    checks: resolveChecks(input, defaults),
    ...(input.write !== undefined && {
      write: { key: input.write.key, ttlMs: input.write.ttl },
    }),
    ...(input.pubsub !== undefined && { pubsub: input.pubsub }),
    labels: { ...defaults.labels, ...input.labels },
  };
}

function resolveChecks(own: CheckedTarget, inherited: CheckedDefaults): TargetChecks {
  const maxMemoryRatio = own.maxMemoryRatio ?? inherited.maxMemoryRatio;
  const maxReplicationLagMs = own.maxReplicationLag ?? inherited.maxReplicationLag;
  const maxClientsRatio = own.maxClientsRatio ?? inherited.maxClientsRatio;
  return {
    role: own.role ?? inherited.role,
    ...(maxMemoryRatio !== undefined && { maxMemoryRatio }),
    ...(maxReplicationLagMs !== undefined && { maxReplicationLagMs }),
    ...(maxClientsRatio !== undefined && { maxClientsRatio }),
    reportOnly: own.reportOnly ?? inherited.reportOnly,
  };
}

/** HTTP settings need only their files readable and one way to send a token. */
function checkHttp(input: HttpSettings, problems: KeyedProblem[]): HttpSettings {
  const auth = input.auth;
  if (auth?.bearerToken !== undefined && auth.bearerTokenFile !== undefined) {
    problems.push({
      keys: ['http', 'auth', 'bearerTokenFile'],
      message: 'set either bearerToken or bearerTokenFile, not both',
    });
  }
  if (auth !== undefined && Object.keys(auth).length === 0) {
    problems.push({
      keys: ['http', 'auth'],
      message: 'needs basic, bearerToken or bearerTokenFile',
    });
  }
  const files: Array<[PropertyKey[], string | undefined]> = [
    [['http', 'tls', 'cert'], input.tls?.cert],
    [['http', 'tls', 'key'], input.tls?.key],
    [['http', 'auth', 'bearerTokenFile'], auth?.bearerTokenFile],
  ];
  for (const [keys, file] of files) if (file !== undefined) checkReadable(file, keys, problems);
  return input;
}

/** The most targets one process probes: each costs about 64 KiB and a connection. */
export const MAX_TARGETS_PER_SHARD = 10_000;
/** The most targets the config and its target files may list, all shards together. */
export const MAX_TARGETS = 100_000;

/** Too many targets are refused with the limit named, before any is probed. */
function checkTargetCount(targets: Target[], sharding: Sharding, problems: KeyedProblem[]) {
  if (targets.length > MAX_TARGETS) {
    problems.push({
      keys: ['targets'],
      message: `${targets.length} targets in the config and its target files, more than ${MAX_TARGETS}`,
    });
    return;
  }
  const owned = shardTargets({ targets, sharding }).length;
  if (owned > MAX_TARGETS_PER_SHARD) {
    const shard = sharding.total === 1 ? 'one process' : `shard ${sharding.shard}`;
    problems.push({
      keys: ['targets'],
      message: `${owned} targets for ${shard}, more than ${MAX_TARGETS_PER_SHARD}: split them with --total-shards`,
    });
  }
}
