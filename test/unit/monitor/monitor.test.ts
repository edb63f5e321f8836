import { createMonitor } from '../../../src/monitor/monitor';
import type { TargetProber } from '../../../src/probe/report';
import { createFakeScheduler } from '../../helpers/fake-scheduler';
import { createScriptedProbe } from '../../helpers/scripted-probe';
import { makeTarget } from '../../helpers/targets';

function setup() {
  const scheduler = createFakeScheduler();
  const probes = { fast: createScriptedProbe(), slow: createScriptedProbe() };
  const closed: string[] = [];
  const monitor = createMonitor({
    targets: [makeTarget({ name: 'fast' }), makeTarget({ name: 'slow' })],
    createProber: (target): TargetProber => ({
      probe: () => probes[target.name as 'fast' | 'slow'].run().then((result) => ({ result })),
      close: async () => {
        closed.push(target.name);
      },
      drop: () => undefined,
    }),
    scheduler,
    listeners: [],
    random: () => 0.5, // no jitter: probes exactly one interval apart
  });
  return { scheduler, probes, closed, monitor };
}

describe('monitor', () => {
  test('targets are probed concurrently: a hung one does not hold up the others', async () => {
    const { scheduler, probes, monitor } = setup();
    probes.slow.hang();
    monitor.start();
    await scheduler.advance(5000);
    expect(probes.fast.started).toBe(6);
    expect(probes.slow.started).toBe(1);
    expect(monitor.statuses().map((status) => status.target.name)).toEqual(['fast', 'slow']);
  });

  test('liveness stays ok while Redis fails, and fails when a probe loop is stuck', async () => {
    const { scheduler, probes, monitor } = setup();
    probes.fast.answer({ ok: false, reason: 'refused', message: 'down' });
    probes.slow.hang();
    monitor.start();
    await scheduler.advance(10_000);
    expect(monitor.liveness()).toEqual({ ok: true, detail: 'ok' });
    await scheduler.advance(300);
    expect(monitor.liveness()).toEqual({ ok: false, detail: 'probe loop of slow is stuck' });
  });

  test('stop waits for probes under way, then closes every connection', async () => {
    const { scheduler, probes, closed, monitor } = setup();
    probes.slow.hang();
    monitor.start();
    await scheduler.advance(1); // first probes are spread by a millisecond per target
    const stopping = monitor.stop();
    await scheduler.advance(0);
    expect(closed).toEqual([]);
    probes.slow.release();
    await stopping;
    expect(closed.sort()).toEqual(['fast', 'slow']);
  });
});

test('a thousand targets start spread over at most half an interval, every one probed in it', async () => {
  const scheduler = createFakeScheduler();
  const startedAt: number[] = [];
  const begin = scheduler.now();
  const monitor = createMonitor({
    targets: Array.from({ length: 1000 }, (_, i) => makeTarget({ name: `t${i}` })),
    createProber: (): TargetProber => ({
      probe: () => {
        startedAt.push(scheduler.now() - begin);
        return Promise.resolve({ result: { ok: true, seconds: 0.001 } });
      },
      close: () => Promise.resolve(),
      drop: () => undefined,
    }),
    scheduler,
    listeners: [],
    random: () => 0.5,
  });
  monitor.start();
  await scheduler.advance(999);
  await monitor.stop();
  expect(startedAt).toHaveLength(1000);
  expect(Math.max(...startedAt)).toBeLessThanOrEqual(500);
  // No more than a few in any one millisecond.
  const perMs = new Map<number, number>();
  for (const at of startedAt) perMs.set(Math.floor(at), (perMs.get(Math.floor(at)) ?? 0) + 1);
  expect(Math.max(...perMs.values())).toBeLessThanOrEqual(3);
});
