// A child process inside a cgroup v1 memory group with a limit, as Kubernetes sets one, and what
// the group was charged. The shell joins the group before it becomes the program, so start-up is
// charged too.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './measure';
import { sleep, track } from './processes';

const MEMORY = '/sys/fs/cgroup/memory';

/**
 * The environment the image sets (its `ENV` lines: NODE_OPTIONS, MALLOC_ARENA_MAX, …), so a
 * limit found here is the image's. BENCH_DOCKERFILE names another Dockerfile (an older one, to
 * compare).
 */
export const IMAGE_ENV: Record<string, string> = Object.fromEntries(
  [
    ...readFileSync(
      process.env.BENCH_DOCKERFILE || join(__dirname, '..', '..', 'Dockerfile'),
      'utf8',
    ).matchAll(/^ENV ([A-Z_]+)=(.*)$/gm),
  ].map((match) => [match[1]!, match[2]!]),
);

/** Whether this machine lets us make cgroup v1 memory groups (root, v1 controller mounted). */
export function memoryGroupsWritable(): boolean {
  const probe = `${MEMORY}/redis-health-bench-probe`;
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

export interface Charge {
  chargedMaxMiB: number;
  oomKills: number;
}

export interface Limited {
  exited(): boolean;
  /** What the child wrote to stdout so far (its first 64 KiB). */
  output(): string;
  /** Kills the child (if still running), removes the group and says what it was charged. */
  finish(): Promise<Charge>;
}

/** Starts `command` (with the image's environment) in a fresh group limited to `limitMiB`. */
export function startLimited(limitMiB: number, command: string[]): Limited {
  const group = `${MEMORY}/redis-health-bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(group);
  writeFileSync(`${group}/memory.limit_in_bytes`, String(limitMiB * 2 ** 20));
  const child = track(
    spawn('sh', ['-c', `echo $$ > ${group}/cgroup.procs && exec "$@"`, 'sh', ...command], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, ...IMAGE_ENV },
    }),
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (out.length < 65536) out += chunk.toString();
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    exited: () => exited,
    output: () => out,
    async finish() {
      child.kill('SIGKILL');
      await new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
      const read = (file: string) => readFileSync(`${group}/${file}`, 'utf8');
      const charge = {
        chargedMaxMiB: round(Number(read('memory.max_usage_in_bytes')) / 2 ** 20, 1),
        oomKills: Number(/oom_kill (\d+)/.exec(read('memory.oom_control'))?.[1] ?? 0),
      };
      for (let tries = 0; tries < 50 && existsSync(group); tries += 1) {
        try {
          rmdirSync(group);
        } catch {
          await sleep(100); // the killed process is still leaving the group
        }
      }
      return charge;
    },
  };
}
