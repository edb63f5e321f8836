import { readFileSync } from 'node:fs';

/**
 * How long the kernel has held this process back for its CPU quota, from its cgroup's
 * `cpu.stat` (v2 `throttled_usec`, v1 `throttled_time` in ns). Undefined where no cgroup CPU
 * controller is readable (outside Linux, or a runtime that hides it).
 */
export type ThrottleReader = () => number | undefined;

/** Finds this process's cgroup `cpu.stat` once; the reader returns throttled seconds so far. */
export function createThrottleReader(
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ThrottleReader {
  const source = findCpuStat(read);
  if (source === undefined) return () => undefined;
  return () => {
    try {
      return parseThrottled(read(source.path), source.field);
    } catch {
      return undefined;
    }
  };
}

type Source = { path: string; field: 'throttled_usec' | 'throttled_time' };

function findCpuStat(read: (path: string) => string): Source | undefined {
  let lines: string[];
  try {
    lines = read('/proc/self/cgroup').split('\n');
  } catch {
    return undefined;
  }
  const candidates: Source[] = [];
  for (const line of lines) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers === undefined || path === undefined) continue;
    if (controllers === '') {
      candidates.push({ path: `/sys/fs/cgroup${trim(path)}/cpu.stat`, field: 'throttled_usec' });
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of [controllers, 'cpu', 'cpu,cpuacct']) {
        candidates.push({
          path: `/sys/fs/cgroup/${mount}${trim(path)}/cpu.stat`,
          field: 'throttled_time',
        });
      }
    }
  }
  // v1's cpu controller first: on a hybrid host the v2 file may lack the CPU fields.
  candidates.sort((a, b) => (a.field === b.field ? 0 : a.field === 'throttled_time' ? -1 : 1));
  return candidates.find((source) => {
    try {
      return parseThrottled(read(source.path), source.field) !== undefined;
    } catch {
      return false;
    }
  });
}

function trim(path: string): string {
  return path === '/' ? '' : path;
}

/** Throttled seconds from the text of a `cpu.stat`. */
export function parseThrottled(text: string, field: Source['field']): number | undefined {
  const value = new RegExp(`^${field} (\\d+)$`, 'm').exec(text)?.[1];
  if (value === undefined) return undefined;
  return Number(value) / (field === 'throttled_usec' ? 1e6 : 1e9);
}
