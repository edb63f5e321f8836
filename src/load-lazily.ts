import { createRequire } from 'node:module';

const load = createRequire(__filename);

/**
 * A module loaded the first time it is used, not at start-up: for what most runs never need
 * (pino-pretty's lines for people, the glob matcher of `targetFiles`, bcrypt for basic auth).
 * Each loaded module stays on the heap for good, and inside a memory limit that counts.
 */
export function loadLazily<Module>(name: string): () => Module {
  let module: Module | undefined;
  return () => (module ??= load(name) as Module);
}
