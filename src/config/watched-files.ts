// What a reload watches: the folders of the target files and their texts. Kept apart from the
// loader so that the serving process, which only watches, never loads the parser and schema.
import { join } from 'node:path';
import type * as Tinyglobby from 'tinyglobby';
import { loadLazily } from '../load-lazily';
import { readConfigText } from './read-config-text';

const tinyglobby = loadLazily<typeof Tinyglobby>('tinyglobby');

/** The files `patterns` match in `dir`, relative to it, sorted. */
export function matchFiles(patterns: readonly string[], dir: string): string[] {
  return tinyglobby()
    .globSync([...patterns], { cwd: dir, onlyFiles: true })
    .sort();
}

/** The folders to watch for `patterns`: each one's part before its first wildcard. */
export function watchedFolders(patterns: readonly string[], dir: string): string[] {
  const folders = patterns.map((pattern) => {
    const fixed = pattern
      .split('/')
      .filter((_, index, parts) => parts.slice(0, index + 1).every((part) => !/[*?[{]/.test(part)));
    return join(dir, ...fixed.slice(0, /[*?[{]/.test(pattern) ? fixed.length : -1));
  });
  return [...new Set(folders)];
}

/** Every matched file's name and text, to tell a change that matters from other events. */
export function targetFilesText(patterns: readonly string[], dir: string): string {
  return matchFiles(patterns, dir)
    .map((file) => {
      try {
        return `${file}\n${readConfigText(join(dir, file), 'target file', file)}`;
      } catch (error) {
        return `${file}\n${(error as Error).message}`;
      }
    })
    .join('\n');
}
