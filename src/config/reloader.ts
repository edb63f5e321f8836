import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from './env';
import { isConfigError } from './errors';
import { configFile, type LoadOptions } from './source';
import type { Config } from './types';
import { loadConfigOffThread } from './load-off-thread';
import { targetFilesText, watchedFolders } from './watched-files';

export interface ReloaderOptions {
  /** As the config was loaded at start: without a file there is nothing to reload. */
  source: LoadOptions;
  env: Env;
  /** Swaps in a loaded config (one whose broken target files kept their targets, too). */
  apply(config: Config): Promise<void>;
  /** A reload that was refused: the running config stays whole. */
  failed(): void;
  /** The running config: a target file that breaks keeps its targets from it. */
  current(): Config;
  logger: Logger;
}

export interface Reloader {
  /** Loads the file again; on any problem keeps the running config. Resolves to success. */
  reload(trigger: string): Promise<boolean>;
  /**
   * Reloads when the file or a target file changes. Watches their folders: a ConfigMap swaps
   * a `..data` symlink.
   */
  watch(): void;
  close(): void;
}

/** Wait after the last file event, so a burst of events (a ConfigMap swap) is one reload. */
const SETTLE_MS = 200;

/**
 * Reloads the config on request (SIGHUP) and when the file changes. The new config is built
 * completely, on a worker thread, before anything is swapped; reloads run one at a time.
 */
export function createReloader(options: ReloaderOptions): Reloader {
  const { source, env, logger } = options;
  const file = configFile(source, env);
  let chain = Promise.resolve(true);
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined;

  /** The main file's text and the target files', so only a change that matters reloads. */
  const readText = async () => {
    if (file === undefined) return undefined;
    const main = await readFile(file, 'utf8');
    const files = options.current().targetFiles;
    return files === undefined ? main : `${main}\n${targetFilesText(files.patterns, files.dir)}`;
  };
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
      config = await loadConfigOffThread(source, env, options.current());
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
    if (watchers.size > 0) watchFolders(); // new globs may point to new folders
    logger.info({ trigger, targets: config.targets.length }, 'config reloaded');
    // Applied all the same: the sidecar records it once, as applied with files kept.
    const broken = config.targetFiles?.broken ?? [];
    if (broken.length === 0) return true;
    logger.error(
      { trigger, problems: broken.join('\n').split('\n') },
      'target file(s) broken: each keeps the targets it had',
    );
    return false;
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

  /** Watches the config file's folder and the target files' (again after a reload: new globs). */
  function watchFolders() {
    if (file === undefined) return;
    const files = options.current().targetFiles;
    const folders = [
      dirname(file),
      ...(files === undefined ? [] : watchedFolders(files.patterns, files.dir)),
    ];
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, () => {
          clearTimeout(timer);
          timer = setTimeout(() => void changed(), SETTLE_MS);
        });
        watcher.on('error', (error) => logger.warn({ err: error, folder }, 'cannot watch'));
        watchers.set(folder, watcher);
      } catch (error) {
        logger.warn({ err: error, folder }, 'cannot watch a config folder');
      }
    }
  }

  const changed = async () => {
    const text = await readText().catch(() => undefined);
    // Events fire for unrelated files in the folder too: reload only when the content changed.
    if (text !== undefined && text !== lastText) await reload('file change');
  };

  return {
    reload,
    watch: watchFolders,
    close() {
      clearTimeout(timer);
      watchers.forEach((watcher) => watcher.close());
      watchers.clear();
    },
  };
}
