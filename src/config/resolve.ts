import { defaultOptions } from './defaults';
import { parseDuration } from './duration';
import type { KeyedProblem } from './errors';
import { parseHostPort } from './host-port';
import { parseListen } from './listen';
import { parseRedisUrl, type ParsedRedisUrl } from './redis-url';
import { resolveAccess } from './resolve-access';
import type { ConfigInput, LogLevel, TargetInput } from './schema';
import { checkReadable, resolveTlsSettings } from './resolve-access';
import type {
  BreakerOptions,
  ClusterSettings,
  Config,
  HttpSettings,
  SentinelSettings,
  Target,
  TargetChecks,
} from './types';

/** Applies defaults and parses URLs of a schema-valid input; collects problems rather than throwing. */
export function resolveConfig(input: ConfigInput, problems: KeyedProblem[]): Config {
  const listen = parseListen(input.listen ?? defaultOptions.listen);
  if (typeof listen === 'string') problems.push({ keys: ['listen'], message: listen });
  const seen = new Map<string, number>();
  const targets = input.targets.flatMap((target, index) => {
    const earlier = seen.get(target.name);
    if (earlier !== undefined) {
      problems.push({
        keys: ['targets', index, 'name'],
        message: `"${target.name}" is already the name of targets[${earlier}]`,
      });
    }
    seen.set(target.name, index);
    return resolveTarget(target, input.defaults ?? {}, index, problems) ?? [];
  });
  return {
    listen: typeof listen === 'string' ? { host: '0.0.0.0', port: 0 } : listen,
    shutdownDelayMs: ms(input.shutdownDelay) ?? defaultOptions.shutdownDelayMs,
    http: resolveHttp(input.http ?? {}, problems),
    logLevel: input.log?.level ?? (defaultOptions.logLevel as LogLevel),
    targets,
  };
}

function resolveTarget(
  input: TargetInput,
  defaults: NonNullable<ConfigInput['defaults']>,
  index: number,
  problems: KeyedProblem[],
): Target | undefined {
  const at = (key: string) => ({ keys: ['targets', index, key] });
  const location = resolveLocation(input, index, problems);
  if (location === undefined) return undefined;
  const { sentinel, cluster, ...parsed } = location;
  const intervalMs = ms(input.interval ?? defaults.interval) ?? defaultOptions.intervalMs;
  const timeoutMs = ms(input.timeout ?? defaults.timeout) ?? defaultOptions.timeoutMs;
  if (timeoutMs > intervalMs) {
    problems.push({
      ...at(input.timeout === undefined ? 'interval' : 'timeout'),
      message: `timeout (${timeoutMs}ms) must not be longer than interval (${intervalMs}ms)`,
    });
  }
  return {
    name: input.name,
    mode: sentinel !== undefined ? 'sentinel' : cluster !== undefined ? 'cluster' : 'standalone',
    ...(sentinel !== undefined && { sentinel }),
    ...(cluster !== undefined && { cluster }),
    endpoint: parsed.endpoint,
    address: parsed.address,
    db: parsed.db,
    ...resolveAccess(input, parsed, ['targets', index], problems),
    required: input.required ?? true,
    intervalMs,
    timeoutMs,
    breaker: resolveBreaker(input.breaker ?? {}, defaults.breaker ?? {}),
    infoIntervalMs:
      ms(input.infoInterval ?? defaults.infoInterval) ?? defaultOptions.infoIntervalMs,
    checks: resolveChecks(input, defaults),
    ...(input.write !== undefined && {
      write: {
        key: input.write.key ?? defaultOptions.write.key,
        ttlMs: ms(input.write.ttl) ?? defaultOptions.write.ttlMs,
      },
    }),
  };
}

function resolveChecks(
  own: TargetInput,
  inherited: NonNullable<ConfigInput['defaults']>,
): TargetChecks {
  const maxMemoryRatio = own.maxMemoryRatio ?? inherited.maxMemoryRatio;
  const maxReplicationLagMs = ms(own.maxReplicationLag ?? inherited.maxReplicationLag);
  const maxClientsRatio = own.maxClientsRatio ?? inherited.maxClientsRatio;
  return {
    role: own.role ?? inherited.role ?? 'any',
    ...(maxMemoryRatio !== undefined && { maxMemoryRatio }),
    ...(maxReplicationLagMs !== undefined && { maxReplicationLagMs }),
    ...(maxClientsRatio !== undefined && { maxClientsRatio }),
    reportOnly: own.reportOnly ?? inherited.reportOnly ?? false,
  };
}

type Location = ParsedRedisUrl & { sentinel?: SentinelSettings; cluster?: ClusterSettings };

/** Where the target is: its URL, the sentinels that know its master, or its cluster's nodes. */
function resolveLocation(
  input: TargetInput,
  index: number,
  problems: KeyedProblem[],
): Location | undefined {
  const problem = (key: string, message: string) => {
    problems.push({ keys: ['targets', index, key], message });
    return undefined;
  };
  const ways = (['url', 'sentinel', 'cluster'] as const).filter((key) => input[key] !== undefined);
  if (ways.length === 0) return problem('url', 'is required (or sentinel, or cluster)');
  if (ways.length > 1)
    return problem(
      ways[1] ?? 'url',
      `set only one of url, sentinel and cluster (found ${ways.join(' and ')})`,
    );
  // Without a URL to say rediss://, a `tls` key is what turns TLS on.
  const tls = input.tls !== undefined;
  if (input.sentinel !== undefined) {
    const sentinel = resolveSentinel(input.sentinel, ['targets', index, 'sentinel'], problems);
    const first = parseHostPort(input.sentinel.sentinels[0] ?? '');
    return { endpoint: first, address: sentinel.masterName, db: input.db ?? 0, tls, sentinel };
  }
  if (input.cluster !== undefined) {
    if (input.db !== undefined)
      return problem('db', 'must not be set: a cluster has only database 0');
    const nodes = input.cluster.nodes;
    const first = parseHostPort(nodes[0] ?? '');
    return { endpoint: first, address: nodes.join(','), db: 0, tls, cluster: { nodes } };
  }
  if (input.db !== undefined)
    return problem('db', 'goes with sentinel; put the database in the url path');
  const parsed = parseRedisUrl(input.url ?? '');
  return typeof parsed === 'string' ? problem('url', parsed) : parsed;
}

function resolveSentinel(
  input: NonNullable<TargetInput['sentinel']>,
  at: readonly PropertyKey[],
  problems: KeyedProblem[],
): SentinelSettings {
  const tls =
    input.tls === undefined ? undefined : resolveTlsSettings(input.tls, [...at, 'tls'], problems);
  return {
    masterName: input.masterName,
    sentinels: input.sentinels.map(parseHostPort),
    ...(input.username !== undefined && { username: input.username }),
    ...(input.password !== undefined && { password: input.password }),
    ...(tls !== undefined && { tls }),
  };
}

function resolveHttp(
  input: NonNullable<ConfigInput['http']>,
  problems: KeyedProblem[],
): HttpSettings {
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
  return {
    ...(input.tls !== undefined && { tls: input.tls }),
    ...(auth !== undefined && { auth }),
  };
}

function resolveBreaker(
  own: NonNullable<TargetInput['breaker']>,
  inherited: NonNullable<TargetInput['breaker']>,
): BreakerOptions {
  const fallback = defaultOptions.breaker;
  return {
    failureThreshold:
      own.failureThreshold ?? inherited.failureThreshold ?? fallback.failureThreshold,
    recoveryTimeoutMs:
      ms(own.recoveryTimeout ?? inherited.recoveryTimeout) ?? fallback.recoveryTimeoutMs,
    successThreshold:
      own.successThreshold ?? inherited.successThreshold ?? fallback.successThreshold,
  };
}

function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}
