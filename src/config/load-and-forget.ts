import { createRequire } from 'node:module';
import type * as ConfigModule from '.';
import type { Env } from './env';
import type { LoadOptions } from './source';
import type { Config } from './types';

/**
 * Loads the config on this thread and then lets go of the loader: the YAML parser and the
 * schema (zod) are some 4 MiB of heap that only a load needs, and a reload loads on a worker
 * thread. (Loading on a worker at start-up too kept them out, but its isolate, alive beside
 * this one, raised the smallest memory limit that holds one target from 32 to 40 MiB.) Every
 * module first loaded by the load is dropped from the module cache, so once the load returns
 * nothing refers to them and the collector takes them.
 */
export function loadAndForget(source: LoadOptions, env: Env): Config {
  const before = new Set(Object.keys(require.cache));
  try {
    const { loadConfig } = createRequire(__filename)('.') as typeof ConfigModule;
    return loadConfig(source, env);
  } finally {
    forgetModulesSince(before);
  }
}

function forgetModulesSince(before: ReadonlySet<string>) {
  const added = new Set(Object.keys(require.cache).filter((file) => !before.has(file)));
  for (const file of added) delete require.cache[file];
  for (const module of Object.values(require.cache)) {
    if (module === undefined) continue;
    module.children = module.children.filter((child) => !added.has(child.id));
  }
}
