import { basename, dirname } from 'node:path';
import { expandEnv, type Env } from './env';
import { configFilesFrom } from './file-paths';
import { ConfigError, type ConfigProblem, type KeyedProblem } from './errors';
import { describeIssue, readYaml } from './read-yaml';
import { readConfigText } from './read-config-text';
import { resolveConfig } from './resolve';
import { readTargetFiles } from './target-files';
import { resolveSharding, type ShardFlags, type Sharding } from './shard';
import { configSchema, logFormats, logLevels, type CheckedConfig } from './schema';
import type { Config } from './types';

/** Without a config file or REDIS_URL, the sidecar probes this. */
const DEFAULT_URL = 'redis://127.0.0.1:6379/0';

/** Reads, expands, validates and resolves a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string, env: Env, options: ParseOptions = {}): Config {
  const text = readConfigText(file, 'config file', file);
  return parseConfig(text, env, basename(file), { ...options, dir: dirname(file) });
}

/** How a config file is read beyond its text: the shard flags, its folder, the last good load. */
export interface ParseOptions {
  flags?: ShardFlags;
  /** The folder `targetFiles` globs and relative file keys are read from (the config file's). */
  dir?: string;
  /** The running config, at a reload: a broken target file keeps its targets from it. */
  previous?: Config | undefined;
}

/** Parses config text; `source` names it in error messages. */
export function parseConfig(
  text: string,
  env: Env,
  source = 'config',
  options: ParseOptions = {},
): Config {
  const { data, locate } = readYaml(text, source);
  const keyed: KeyedProblem[] = [];
  const expanded = expandEnv(data ?? {}, env, keyed);
  const parsed = configSchema.safeParse(expanded, { reportInput: true });
  if (!parsed.success) keyed.push(...parsed.error.issues.flatMap(describeIssue));
  if (keyed.length > 0 || !parsed.success) throw new ConfigError(keyed.map(locate), source);

  const dir = options.dir ?? process.cwd();
  const input = configFilesFrom(parsed.data, dir);
  const sharding = shardingOf(options.flags ?? {}, input, env, locate, source);
  const files = readTargetFiles(input, env, dir, options.previous);
  const config = resolveConfig(input, keyed, sharding, files);
  if (keyed.length > 0) throw new ConfigError(keyed.map(locate), source);
  return withLogEnv(config, env);
}

/** Resolves the shard; a problem with the file's own `sharding` is located in the file. */
function shardingOf(
  flags: ShardFlags,
  input: CheckedConfig,
  env: Env,
  locate: (problem: KeyedProblem) => ConfigProblem,
  source: string,
): Sharding {
  try {
    return resolveSharding(flags, input.sharding, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) =>
      problem.path.startsWith('sharding.') && input.sharding !== undefined
        ? locate({ keys: problem.path.split('.'), message: problem.message })
        : problem,
    );
    const inFile = problems.some((problem) => problem.line !== undefined);
    throw new ConfigError(problems, inFile ? source : undefined);
  }
}

/** The configuration used when no file is given: one target `default` from REDIS_URL. */
export function defaultConfig(env: Env, flags: ShardFlags = {}): Config {
  const url = env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : DEFAULT_URL;
  const keyed: KeyedProblem[] = [];
  const config = resolveConfig(
    configSchema.parse({ targets: [{ name: 'default', url }] }),
    keyed,
    resolveSharding(flags, undefined, env),
  );
  if (keyed.length > 0) {
    throw new ConfigError(
      keyed.map((problem) => ({ path: 'REDIS_URL', message: problem.message })),
    );
  }
  return withLogEnv(config, env);
}

/** LOG_LEVEL and LOG_FORMAT override the file. */
function withLogEnv(config: Config, env: Env): Config {
  const level = fromEnv(env, 'LOG_LEVEL', logLevels);
  const format = fromEnv(env, 'LOG_FORMAT', logFormats);
  return {
    ...config,
    ...(level !== undefined && { logLevel: level }),
    ...(format !== undefined && { logFormat: format }),
  };
}

function fromEnv<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const value = env[name]?.toLowerCase();
  if (value === undefined || value === '') return undefined;
  const match = allowed.find((item) => item === value);
  if (match === undefined) {
    throw new ConfigError([{ path: name, message: `must be one of ${allowed.join(', ')}` }]);
  }
  return match;
}
