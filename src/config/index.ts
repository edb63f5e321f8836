import { ConfigError } from './errors';
import { parseListen } from './listen';
import type { Env } from './env';
import { defaultConfig, loadConfigFile } from './load';
import { configFile, type LoadOptions } from './source';
import type { Config } from './types';

export type { Env } from './env';
export { ConfigError, isConfigError } from './errors';
export type { Config, Target } from './types';
export { shardTargets } from './types';
export { configFile, type LoadOptions } from './source';

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
