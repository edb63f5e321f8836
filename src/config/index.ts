import { ConfigError } from './errors';
import { parseListen } from './listen';
import type { Env } from './env';
import { defaultConfig, loadConfigFile } from './load';
import type { ShardFlags } from './shard';
import type { Config } from './types';

export type { Env } from './env';
export { ConfigError, isConfigError } from './errors';
export type { Config, Target } from './types';
export { shardTargets } from './types';

/** Where the config comes from: `--config`, `--listen` and the shard flags from the command line. */
export interface LoadOptions extends ShardFlags {
  file?: string | undefined;
  listen?: string | undefined;
}

/**
 * The configuration to run with: the file from `--config` or REDIS_HEALTH_CONFIG, else the
 * REDIS_URL default; `--listen` overrides the file. Throws ConfigError on any problem, except
 * a target file that breaks at a reload: it keeps its targets from `previous` and says so in
 * `targetFiles.broken`.
 */
export function loadConfig(options: LoadOptions, env: Env, previous?: Config): Config {
  const file = configFile(options, env);
  const config =
    file === undefined
      ? defaultConfig(env, options)
      : loadConfigFile(file, env, { flags: options, previous });
  if (options.listen === undefined) return config;
  const listen = parseListen(options.listen);
  if (typeof listen === 'string') throw new ConfigError([{ path: '--listen', message: listen }]);
  return { ...config, listen };
}

/** The config file in use: `--config`, else REDIS_HEALTH_CONFIG; undefined when there is none. */
export function configFile(options: LoadOptions, env: Env): string | undefined {
  return options.file ?? (env.REDIS_HEALTH_CONFIG || undefined);
}
