import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError, type ConfigProblem } from './errors';
import type { Env } from './env';
import type { LoadOptions } from './source';
import type { Config } from './types';

export interface LoadRequest {
  source: LoadOptions;
  env: Env;
  previous: Config | undefined;
}

export type LoadAnswer =
  { config: Config } | { problems: readonly ConfigProblem[]; source: string | undefined };

/**
 * The heap a reload may use. A config file holds at most 4 MiB, but target files add up: one
 * that would need more is refused instead of growing the sidecar's own memory.
 */
const LOADER_HEAP_MIB = 512;

/**
 * Loads the config as `loadConfig` does, on a worker thread: parsing a large file (4 MiB of
 * targets takes seconds) never stops the event loop that answers /healthz and probes, and a
 * config that needs too much memory fails the load, not the sidecar. Rejects with ConfigError
 * on a problem in the config, with another Error when the loader itself fails.
 */
export function loadConfigOffThread(
  source: LoadOptions,
  env: Env,
  previous?: Config,
): Promise<Config> {
  const request: LoadRequest = { source, env, previous };
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), {
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: LOADER_HEAP_MIB },
      stdout: true,
      stderr: true,
    });
    worker.once('message', (answer: LoadAnswer) =>
      'config' in answer
        ? resolve(answer.config)
        : reject(new ConfigError(answer.problems, answer.source)),
    );
    worker.once('error', (error) =>
      reject(new Error(`the config loader failed: ${error.message}`, { cause: error })),
    );
    // After a message or an error this changes nothing; alone, the loader ended without a word.
    worker.once('exit', (code) => reject(new Error(`the config loader exited with ${code}`)));
  });
}
