import type { Target } from '../../../src/config/types';
import { createMonitor } from '../../../src/monitor/monitor';
import { createWatchFeed, type WatchEvent } from '../../../src/monitor/watch-feed';
import type { ProbeResult } from '../../../src/probe/result';
import { createFakeScheduler } from '../../helpers/fake-scheduler';
import { createScriptedProbe, ok, refused } from '../../helpers/scripted-probe';
import { makeTarget } from '../../helpers/targets';

const inconclusive: ProbeResult = { ok: false, reason: 'inconclusive', message: 'stalled' };

function setup(targets: Target[] = [makeTarget()], retained?: number) {
  const scheduler = createFakeScheduler();
  const probe = createScriptedProbe();
  const feed = createWatchFeed(() => scheduler.now(), retained);
  const events: WatchEvent[] = [];
  feed.subscribe((event) => events.push(event));
  const monitor = createMonitor({
    targets,
    createProber: () => ({
      probe: () => probe.run().then((result) => ({ result })),
      close: () => Promise.resolve(),
      drop: () => undefined,
    }),
    scheduler,
    listeners: [feed.listener],
    random: () => 0.5,
  });
  const states = () => events.flatMap((event) => (event.kind === 'state' ? [event.state] : []));
  return { scheduler, probe, feed, events, states, monitor };
}

describe('watch feed', () => {
  test('a target is announced unprobed, then once per change, not once per probe', async () => {
    const { scheduler, probe, states, monitor } = setup();
    monitor.start();
    await scheduler.advance(5000);
    expect(states().map(({ up, ready, breaker }) => ({ up, ready, breaker }))).toEqual([
      { up: null, ready: false, breaker: 'closed' },
      { up: true, ready: true, breaker: 'closed' },
    ]);
    probe.answer(refused);
    await scheduler.advance(3000); // three failures open the breaker
    probe.answer(ok);
    await scheduler.advance(10_000); // recovery timeout, trial probe
    await scheduler.advance(1000); // second success closes it
    await monitor.stop();
    expect(states().map(({ up, ready, breaker, reason }) => [breaker, up, ready, reason])).toEqual([
      ['closed', null, false, null],
      ['closed', true, true, null],
      ['closed', false, true, 'refused'], // ready until the breaker opens, as /readyz
      ['open', false, false, 'refused'],
      ['half_open', false, false, 'refused'],
      ['half_open', true, false, 'refused'],
      ['closed', true, true, null],
    ]);
  });

  test('ids increase by one and start from the feed start in microseconds', async () => {
    const { scheduler, probe, events, monitor, feed } = setup();
    const first = scheduler.now() * 1000 + 1;
    monitor.start();
    probe.answer(refused);
    await scheduler.advance(3000);
    await monitor.stop();
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => first + index));
    expect(feed.lastId()).toBe(first + events.length - 1);
  });

  test('an inconclusive probe moves nothing', async () => {
    const { scheduler, probe, events, monitor } = setup();
    monitor.start();
    await scheduler.advance(1000);
    const before = events.length;
    probe.answer(inconclusive);
    await scheduler.advance(2000); // within the grace of failureThreshold × interval
    await monitor.stop();
    expect(events).toHaveLength(before);
  });

  test('a snapshot holds every target once, with the id of the event that set its state', async () => {
    const { scheduler, feed, monitor } = setup([
      makeTarget({ name: 'a' }),
      makeTarget({ name: 'b' }),
    ]);
    monitor.start();
    await scheduler.advance(3000);
    await monitor.stop();
    const snapshot = feed.snapshot();
    expect(snapshot.map(({ state }) => state.target).sort()).toEqual(['a', 'b']);
    expect(snapshot.every(({ state }) => state.up === true)).toBe(true);
    expect(snapshot.map(({ id }) => id)).toEqual([...snapshot.map(({ id }) => id)].sort());
    expect(snapshot.at(-1)?.id).toBe(feed.lastId());
  });

  test('after(id) gives exactly the events since id while held, else undefined', async () => {
    const { scheduler, probe, events, monitor, feed } = setup([makeTarget()], 3);
    monitor.start();
    probe.answer(refused);
    await scheduler.advance(12_000);
    await monitor.stop();
    expect(events.length).toBeGreaterThan(4);
    const ids = events.map((event) => event.id);
    const last = feed.lastId();
    expect(feed.after(last)).toEqual([]);
    expect(feed.after(last - 3)?.map((event) => event.id)).toEqual(ids.slice(-3));
    expect(feed.after(last - 4)).toBeUndefined(); // one was dropped: a snapshot is due
    expect(feed.after(last + 1)).toBeUndefined(); // not this process's id
  });

  test('a target removed by a reload is an event and leaves the snapshot', async () => {
    const { scheduler, events, monitor, feed } = setup([
      makeTarget({ name: 'a' }),
      makeTarget({ name: 'b' }),
    ]);
    monitor.start();
    await scheduler.advance(1000);
    await monitor.update([makeTarget({ name: 'a' }), makeTarget({ name: 'c' })]);
    await scheduler.advance(1000);
    await monitor.stop();
    expect(events.filter((event) => event.kind === 'removed')).toEqual([
      expect.objectContaining({ kind: 'removed', target: 'b' }),
    ]);
    expect(feed.snapshot().map(({ state }) => state.target)).toEqual(['a', 'c']);
  });
});
