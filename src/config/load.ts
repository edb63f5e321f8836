import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';
import { expandEnv, type Env } from './env';
import { ConfigError, formatPath, type ConfigProblem, type KeyedProblem } from './errors';
import { resolveConfig } from './resolve';
import { resolveSharding, type ShardFlags, type Sharding } from './shard';
import { configSchema, logFormats, logLevels, type CheckedConfig } from './schema';
import type { Config } from './types';
import { lineOf } from './yaml-lines';

/** Without a config file or REDIS_URL, the sidecar probes this. */
const DEFAULT_URL = 'redis://127.0.0.1:6379/0';

/** Reads, expands, validates and resolves a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string, env: Env, flags: ShardFlags = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: '', message: `cannot read config file (${code})` }], file);
  }
  return parseConfig(text, env, basename(file), flags);
}

/** Parses config text; `source` names it in error messages. */
export function parseConfig(
  text: string,
  env: Env,
  source = 'config',
  flags: ShardFlags = {},
): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({
      path: '',
      line: lines.linePos(error.pos[0]).line,
      message: `invalid YAML: ${error.message.split('\n')[0] ?? ''}`,
    }));
    throw new ConfigError(problems, source);
  }
  const locate = (problem: KeyedProblem): ConfigProblem => ({
    path: formatPath(problem.keys),
    line: lineOf(doc, lines, problem.keys),
    message: problem.message,
  });

  let data: unknown;
  try {
    // Aliases resolve here: an unknown anchor, or too many aliases (a "billion laughs" file).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `invalid YAML: ${reason.split('\n')[0] ?? ''}`;
    throw new ConfigError([{ path: '', message }], source);
  }
  const keyed: KeyedProblem[] = [];
  const expanded = expandEnv(data ?? {}, env, keyed);
  const parsed = configSchema.safeParse(expanded, { reportInput: true });
  if (!parsed.success) keyed.push(...parsed.error.issues.flatMap(describeIssue));
  if (keyed.length > 0 || !parsed.success) throw new ConfigError(keyed.map(locate), source);

  const sharding = shardingOf(flags, parsed.data, env, (problem) => locate(problem), source);
  const config = resolveConfig(parsed.data, keyed, sharding);
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

function describeIssue(issue: core.$ZodIssue): KeyedProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ keys: [...issue.path, key], message: 'unknown key' }));
  }
  if (issue.code === 'invalid_type') {
    const custom = !issue.message.startsWith('Invalid input');
    const message =
      issue.input === undefined
        ? 'is required'
        : custom
          ? issue.message
          : `must be ${article(issue.expected)}`;
    return [{ keys: issue.path, message }];
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a mapping (a label name): its own checks say why.
    return issue.issues.map((inner) => ({ keys: issue.path, message: inner.message }));
  }
  if (issue.code === 'invalid_value') {
    return [{ keys: issue.path, message: `must be one of ${issue.values.join(', ')}` }];
  }
  return [{ keys: issue.path, message: issue.message }];
}

function article(expected: string): string {
  const names: Record<string, string> = {
    array: 'a list',
    object: 'a mapping of keys',
    string: 'a string',
    boolean: 'true or false',
    number: 'a number',
    int: 'a whole number',
  };
  return names[expected] ?? expected;
}
