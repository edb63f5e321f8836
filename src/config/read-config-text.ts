import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * The largest config or target file read: ten thousand targets take about 1 MiB. A larger file
 * is refused before it is read or parsed, so a runaway file cannot block the event loop for
 * minutes or exhaust the heap at a reload.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** A config or target file's text; a ConfigError naming `source` when unreadable or too large. */
export function readConfigText(file: string, what: string, source: string): string {
  const refuse = (message: string) => new ConfigError([{ path: '', message }], source);
  try {
    const { size } = statSync(file);
    if (size > MAX_CONFIG_BYTES) {
      const mib = (size / 2 ** 20).toFixed(1);
      throw refuse(`${what} is ${mib} MiB; at most ${MAX_CONFIG_BYTES / 2 ** 20} MiB is read`);
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw refuse(`cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}
