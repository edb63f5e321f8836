import type { Transition } from '../../../src/breaker/breaker';
import { createTargetMonitor } from '../../../src/monitor/target-monitor';
import { createFakeScheduler } from '../../helpers/fake-scheduler';
import { createScriptedProbe, ok, refused } from '../../helpers/scripted-probe';
import { makeTarget } from '../../helpers/targets';

function setup(random = () => 0.5) {
  const scheduler = createFakeScheduler();
  const probe = createScriptedProbe();
  const transitions: Transition[] = [];
  const results: boolean[] = [];
  const target = makeTarget();
  const monitor = createTargetMonitor(target, {
    scheduler,
    probe: () => probe.run().then((result) => ({ result })),
    listener: {
      probed: (_target, { result }) => results.push(result.ok),
      transitioned: (_target, transition) => transitions.push(transition),
    },
    random,
  });
  return { scheduler, probe, transitions, results, monitor, target };
}

describe('target monitor', () => {
  test('reports how late each probe starts against its schedule', async () => {
    const fake = createFakeScheduler();
    // Timers that fire 30 ms after they were due, as on a busy event loop.
    const slow = {
      ...fake,
      setTimeout: (callback: () => void, ms: number) => fake.setTimeout(callback, ms + 30),
    };
    const late: number[] = [];
    const monitor = createTargetMonitor(makeTarget(), {
      scheduler: slow,
      probe: () => Promise.resolve({ result: { ok: true, seconds: 0.001 } }),
      listener: { started: (_target, ms) => late.push(ms) },
      random: () => 0.5,
    });
    monitor.start();
    await fake.advance(10_000);
    await monitor.stop();
    expect(late.length).toBeGreaterThan(1);
    expect(new Set(late)).toEqual(new Set([30]));
  });

  test('the first probe starts at once, then one per interval', async () => {
    const { scheduler, probe, monitor } = setup();
    monitor.start();
    await scheduler.advance(0);
    expect(probe.started).toBe(1);
    await scheduler.advance(999);
    expect(probe.started).toBe(1);
    await scheduler.advance(1);
    expect(probe.started).toBe(2);
    await scheduler.advance(3000);
    expect(probe.started).toBe(5);
    expect(monitor.status.up).toBe(true);
    expect(monitor.status.probes).toBe(5);
  });

  test('the interval is jittered by at most ±5 %', async () => {
    const early = setup(() => 0);
    early.monitor.start();
    await early.scheduler.advance(949);
    expect(early.probe.started).toBe(1);
    await early.scheduler.advance(1);
    expect(early.probe.started).toBe(2);

    const late = setup(() => 0.999_999);
    late.monitor.start();
    await late.scheduler.advance(1049);
    expect(late.probe.started).toBe(1);
    await late.scheduler.advance(1);
    expect(late.probe.started).toBe(2);
  });

  test('probes of one target never overlap', async () => {
    const { scheduler, probe, monitor } = setup();
    probe.hang();
    monitor.start();
    await scheduler.advance(10_000);
    expect(probe.started).toBe(1);
    probe.release(ok);
    await scheduler.advance(0);
    // The next start was due long ago: it goes at once, and only one.
    expect(probe.started).toBe(2);
  });

  test('opens after failureThreshold failures and sends nothing until recoveryTimeout', async () => {
    const { scheduler, probe, monitor, transitions } = setup();
    probe.answer(refused);
    monitor.start();
    await scheduler.advance(2000); // probes at 0, 1000, 2000
    expect(probe.started).toBe(3);
    expect(monitor.status.breaker).toBe('open');
    expect(monitor.status.consecutiveFailures).toBe(3);
    expect(transitions).toEqual([{ from: 'closed', to: 'open' }]);

    await scheduler.advance(9_999);
    expect(probe.started).toBe(3);
    await scheduler.advance(1);
    expect(probe.started).toBe(4); // exactly one trial
    expect(transitions.slice(1)).toEqual([
      { from: 'open', to: 'half_open' },
      { from: 'half_open', to: 'open' },
    ]);
  });

  test('recovers: trial success, then successThreshold successes close the breaker', async () => {
    const { scheduler, probe, monitor, transitions } = setup();
    probe.answer(refused);
    monitor.start();
    await scheduler.advance(2000);
    probe.answer(ok);
    await scheduler.advance(10_000); // trial at 12 000
    expect(monitor.status.breaker).toBe('half_open');
    await scheduler.advance(1000);
    expect(monitor.status.breaker).toBe('closed');
    expect(transitions.map(({ to }) => to)).toEqual(['open', 'half_open', 'closed']);
    expect(monitor.status.consecutiveFailures).toBe(0);
  });

  test('records the failure reason and keeps the last success time', async () => {
    const { scheduler, probe, monitor } = setup();
    monitor.start();
    await scheduler.advance(0);
    const firstSuccess = monitor.status.lastSuccessAt;
    probe.answer(refused);
    await scheduler.advance(1000);
    expect(monitor.status.up).toBe(false);
    expect(monitor.status.lastFailure).toMatchObject({ reason: 'refused' });
    expect(monitor.status.lastSuccessAt).toBe(firstSuccess);
  });

  test('a probe that throws counts as a failure with reason error, and the loop goes on', async () => {
    const scheduler = createFakeScheduler();
    let calls = 0;
    const monitor = createTargetMonitor(makeTarget(), {
      scheduler,
      probe: () => {
        calls += 1;
        return Promise.reject(new Error('boom'));
      },
      listener: {},
    });
    monitor.start();
    await scheduler.advance(1100);
    expect(calls).toBe(2);
    expect(monitor.status.lastFailure?.reason).toBe('error');
  });

  test('stop cancels the schedule and waits for the probe under way', async () => {
    const { scheduler, probe, monitor } = setup();
    probe.hang();
    monitor.start();
    await scheduler.advance(0);
    let stopped = false;
    const stopping = monitor.stop().then(() => (stopped = true));
    await scheduler.advance(0);
    expect(stopped).toBe(false);
    probe.release(ok);
    await stopping;
    await scheduler.advance(5000);
    expect(probe.started).toBe(1);
    expect(scheduler.pendingTimers()).toBe(0);
  });

  test('stalled() reports a probe running far past its timeout', async () => {
    const { scheduler, probe, monitor } = setup();
    probe.hang();
    monitor.start();
    await scheduler.advance(0);
    await scheduler.advance(200 + 5000);
    expect(monitor.stalled(5000)).toBe(false);
    await scheduler.advance(1);
    expect(monitor.stalled(5000)).toBe(true);
  });
});

describe('inconclusive probes (the sidecar itself was stalled)', () => {
  const inconclusive = {
    ok: false,
    reason: 'inconclusive',
    message: 'no reply within 200ms while the sidecar itself was stalled 150ms',
  } as const;

  test('move neither the breaker nor up nor the failure count, and are retried promptly', async () => {
    const { scheduler, probe, monitor, transitions, results } = setup();
    monitor.start();
    await scheduler.advance(0);
    expect(monitor.status.up).toBe(true);
    probe.answer(inconclusive);
    await scheduler.advance(1000); // the probe at 1000 is inconclusive
    expect(probe.started).toBe(2);
    expect(monitor.status).toMatchObject({ up: true, consecutiveFailures: 0, breaker: 'closed' });
    expect(monitor.status.inconclusiveProbes).toBe(1);
    probe.answer(ok);
    await scheduler.advance(199);
    expect(probe.started).toBe(2);
    await scheduler.advance(1); // retried one timeout later, not one interval
    expect(probe.started).toBe(3);
    expect(transitions).toEqual([]);
    expect(results).toEqual([true, false, true]);
  });

  test('past failureThreshold × interval without a conclusive answer they count as timeouts', async () => {
    const { scheduler, probe, monitor, transitions } = setup();
    probe.answer(inconclusive);
    monitor.start();
    // Inconclusive from 0 on, retried every 200 ms: until 3000 ms nothing counts.
    await scheduler.advance(2800);
    expect(monitor.status).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(monitor.status.inconclusiveProbes).toBe(15);
    await scheduler.advance(200); // 3000 ms: counted, then one per interval
    expect(monitor.status.consecutiveFailures).toBe(1);
    expect(monitor.status.lastFailure).toMatchObject({
      reason: 'timeout',
      message: expect.stringContaining('counted as a timeout: no conclusive answer for 3.0s'),
    });
    await scheduler.advance(2000);
    expect(monitor.status.breaker).toBe('open');
    // Detected 5 s after the hang began: within twice the bound (3 × 1 s + 200 ms).
    expect(transitions).toEqual([{ from: 'closed', to: 'open' }]);
  });

  test('a conclusive answer ends the run: the grace starts afresh next time', async () => {
    const { scheduler, probe, monitor } = setup();
    probe.answer(inconclusive);
    monitor.start();
    await scheduler.advance(2800);
    probe.answer(ok);
    await scheduler.advance(200);
    probe.answer(inconclusive);
    await scheduler.advance(2000);
    expect(monitor.status.consecutiveFailures).toBe(0);
    expect(monitor.status.up).toBe(true);
  });
});
