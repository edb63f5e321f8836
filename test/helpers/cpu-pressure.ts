import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** cgroup v1's CPU controller, writable as root on these machines. */
const CPU_ROOT = '/sys/fs/cgroup/cpu';

export interface CpuGroup {
  add(pid: number): void;
  /** Moves its processes back to the root group and removes it. */
  remove(): void;
}

/** A cgroup v1 CPU group of our own, with settings such as `cpu.cfs_quota_us` or `cpu.shares`. */
export function cpuGroup(name: string, settings: Record<string, string>): CpuGroup {
  const path = join(CPU_ROOT, `redis-health-test-${process.pid}-${name}`);
  mkdirSync(path);
  for (const [file, value] of Object.entries(settings)) writeFileSync(join(path, file), value);
  const members: number[] = [];
  return {
    add(pid) {
      writeFileSync(join(path, 'cgroup.procs'), String(pid));
      members.push(pid);
    },
    remove() {
      for (const pid of members) {
        try {
          writeFileSync(join(CPU_ROOT, 'cgroup.procs'), String(pid));
        } catch {
          // The process has exited already.
        }
      }
      rmdirSync(path);
    },
  };
}

/** Whether this machine lets us make CPU groups (root and a writable cgroup v1 cpu controller). */
export function cpuGroupsWritable(): boolean {
  try {
    cpuGroup('probe', {}).remove();
    return true;
  } catch {
    return false;
  }
}

/** A CFS quota of `percent` of one core on `pid`; returns the function that lifts it. */
export function cpuQuota(pid: number, percent: number): () => void {
  const group = cpuGroup('quota', {
    'cpu.cfs_period_us': '100000',
    'cpu.cfs_quota_us': String(Math.round(percent * 1000)),
  });
  group.add(pid);
  return () => group.remove();
}

/**
 * The portable stand-in where no CPU group can be made: `pid` stopped for `stopMs` of every
 * `periodMs`. Weaker: a process stopped while idle reads its sockets first when it resumes.
 */
export function stopDutyCycle(pid: number, stopMs: number, periodMs: number): () => void {
  let resume: NodeJS.Timeout | undefined;
  const cycle = setInterval(() => {
    process.kill(pid, 'SIGSTOP');
    resume = setTimeout(() => process.kill(pid, 'SIGCONT'), stopMs);
  }, periodMs);
  // Nothing may outlive the caller: a late signal to an exited process would throw elsewhere.
  return () => {
    clearInterval(cycle);
    clearTimeout(resume);
    process.kill(pid, 'SIGCONT');
  };
}
