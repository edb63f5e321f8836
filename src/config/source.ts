import type { Env } from './env';
import type { ShardFlags } from './shard';

/** Where the config comes from: `--config`, `--listen` and the shard flags from the command line. */
export interface LoadOptions extends ShardFlags {
  file?: string | undefined;
  listen?: string | undefined;
}

/** The config file in use: `--config`, else REDIS_HEALTH_CONFIG; undefined when there is none. */
export function configFile(options: LoadOptions, env: Env): string | undefined {
  return options.file ?? (env.REDIS_HEALTH_CONFIG || undefined);
}
