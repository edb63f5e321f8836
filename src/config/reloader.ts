import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { configFile, isConfigError, loadConfig, type Config, type Env, type LoadOptions } from '.';

export interface ReloaderOptions {
  /** As the config was loaded at start: without a file there is nothing to reload. */
  source: LoadOptions;
  env: Env;
  apply(config: Config): Promise<void>;
  failed(): void;
  logger: Logger;
}

export interface Reloader {
  /** Loads the file again; on any problem keeps the running config. Resolves to success. */
  reload(trigger: string): Promise<boolean>;
  /** Reloads when the file changes. Watches its folder: a ConfigMap swaps a `..data` symlink. */
  watch(): void;
  close(): void;
}

/** Wait after the last file event, so a burst of events (a ConfigMap swap) is one reload. */
const SETTLE_MS = 200;

/**
 * Reloads the config on request (SIGHUP) and when the file changes. The new config is built
 * completely before anything is swapped; reloads run one at a time.
 */
export function createReloader(options: ReloaderOptions): Reloader {
  const { source, env, logger } = options;
  const file = configFile(source, env);
  let chain = Promise.resolve(true);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined;

  const readText = () => (file === undefined ? Promise.resolve(undefined) : readFile(file, 'utf8'));
  readText().then(
    (text) => (lastText ??= text),
    () => undefined,
  );

  const attempt = async (trigger: string): Promise<boolean> => {
    if (file === undefined) {
      logger.info({ trigger }, 'no config file to reload');
      return true;
    }
    let config: Config;
    try {
      lastText = await readText().catch(() => undefined);
      config = loadConfig(source, env);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      options.failed();
      logger.error(
        { trigger, problems: error.message.split('\n') },
        'config reload failed: keeping the running config',
      );
      return false;
    }
    await options.apply(config);
    logger.info(
      { trigger, targets: config.targets.map((target) => target.name) },
      'config reloaded',
    );
    return true;
  };

  const reload = (trigger: string) => {
    chain = chain
      .then(() => attempt(trigger))
      .catch((error: unknown) => {
        logger.error({ err: error, trigger }, 'config reload failed');
        options.failed();
        return false;
      });
    return chain;
  };

  const changed = async () => {
    const text = await readText().catch(() => undefined);
    // Events fire for unrelated files in the folder too: reload only when the content changed.
    if (text !== undefined && text !== lastText) await reload('file change');
  };

  return {
    reload,
    watch() {
      if (file === undefined || watcher !== undefined) return;
      watcher = watch(dirname(file), () => {
        clearTimeout(timer);
        timer = setTimeout(() => void changed(), SETTLE_MS);
      });
      watcher.on('error', (error) => logger.warn({ err: error }, 'cannot watch the config file'));
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
