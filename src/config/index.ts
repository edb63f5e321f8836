import { ConfigError } from './errors';
import { parseListen } from './listen';
import { defaultConfig, loadConfigFile, type Env } from './load';
import type { Config } from './types';

export { ConfigError, isConfigError } from './errors';
export type { Config, Target } from './types';

/**
 * The configuration to run with: the file from `--config` or REDIS_HEALTH_CONFIG, else the
 * REDIS_URL default; `--listen` overrides the file. Throws ConfigError on any problem.
 */
export function loadConfig(options: { file?: string; listen?: string }, env: Env): Config {
  const file = options.file ?? (env.REDIS_HEALTH_CONFIG || undefined);
  const config = file === undefined ? defaultConfig(env) : loadConfigFile(file, env);
  if (options.listen === undefined) return config;
  const listen = parseListen(options.listen);
  if (typeof listen === 'string') throw new ConfigError([{ path: '--listen', message: listen }]);
  return { ...config, listen };
}
