import { createThrottleReader, parseThrottled } from '../../../src/monitor/cpu-throttle';

/** A file system of a few files; anything else is missing. */
const files = (entries: Record<string, string>) => (path: string) => {
  const text = entries[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
  return text;
};

describe('CPU throttling from the cgroup', () => {
  test('cgroup v1: throttled_time in ns under the cpu controller of our own cgroup', () => {
    let stat = 'nr_periods 10\nnr_throttled 4\nthrottled_time 1500000000\n';
    const read = createThrottleReader((path) =>
      files({
        '/proc/self/cgroup': '4:memory:/x\n2:cpu,cpuacct:/sidecar\n0::/\n',
        '/sys/fs/cgroup/cpu,cpuacct/sidecar/cpu.stat': stat,
      })(path),
    );
    expect(read()).toBe(1.5);
    stat = 'nr_periods 20\nnr_throttled 9\nthrottled_time 2250000000\n';
    expect(read()).toBe(2.25);
  });

  test('cgroup v2: throttled_usec in the unified hierarchy', () => {
    const read = createThrottleReader(
      files({
        '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
        '/sys/fs/cgroup/kubepods/pod1/c1/cpu.stat': 'usage_usec 9\nthrottled_usec 250000\n',
      }),
    );
    expect(read()).toBe(0.25);
  });

  test('nothing readable: undefined, never a throw', () => {
    expect(createThrottleReader(files({}))()).toBeUndefined();
    expect(createThrottleReader(files({ '/proc/self/cgroup': '0::/\n' }))()).toBeUndefined();
    expect(parseThrottled('usage_usec 9\n', 'throttled_usec')).toBeUndefined();
  });
});
