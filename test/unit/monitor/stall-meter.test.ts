import { createStallMeter } from '../../../src/monitor/stall-meter';
import { createFakeScheduler } from '../../helpers/fake-scheduler';

/** A scheduler whose timers fire `lateMs()` after they are due, as on a starved process. */
function lateScheduler(lateMs: () => number) {
  const fake = createFakeScheduler(0);
  return {
    fake,
    scheduler: {
      ...fake,
      setTimeout: (callback: () => void, ms: number) => fake.setTimeout(callback, ms + lateMs()),
    },
  };
}

describe('stall meter', () => {
  test('counts nothing while timers fire on time', async () => {
    const fake = createFakeScheduler(0);
    const meter = createStallMeter(fake, { tickMs: 20 });
    meter.start();
    await fake.advance(10_000);
    expect(meter.totalMs()).toBe(0);
    expect(meter.stalledBetween(0, 10_000)).toBe(0);
    meter.stop();
    expect(fake.pendingTimers()).toBe(0);
  });

  test('a late ticker is a stall, placed in time; ordinary jitter is not', async () => {
    let late = 2;
    const { fake, scheduler } = lateScheduler(() => late);
    const meter = createStallMeter(scheduler, { tickMs: 20, minLateMs: 5 });
    meter.start();
    const release = meter.hold(); // a probe waits throughout
    await fake.advance(1000);
    expect(meter.totalMs()).toBe(0);
    late = 200; // the process is stopped for 200 ms at a time
    await fake.advance(1000);
    late = 0;
    await fake.advance(1000);
    expect(meter.totalMs()).toBeGreaterThanOrEqual(800);
    expect(meter.stalledBetween(1000, 2000)).toBeGreaterThanOrEqual(800);
    expect(meter.stalledBetween(2300, 3000)).toBe(0);
    expect(meter.stalledBetween(0, 1000)).toBe(0);
    release();
    meter.stop();
  });

  test('a stall under way counts before the ticker catches up', () => {
    let now = 0;
    // Timers never fire here: as when a probe's own deadline runs first after a stall.
    const frozen = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
    const meter = createStallMeter(frozen, { tickMs: 20 });
    meter.start();
    meter.hold();
    now = 10;
    expect(meter.stalledBetween(0, now)).toBe(0);
    now = 320;
    expect(meter.stalledBetween(0, now)).toBe(300);
    expect(meter.stalledBetween(220, now)).toBe(100);
    meter.stop();
  });

  test('an idle meter does not tick; it measures while a probe holds it', async () => {
    let late = 0;
    const { fake, scheduler } = lateScheduler(() => late);
    const meter = createStallMeter(scheduler, { tickMs: 20, minLateMs: 5 });
    meter.start();
    expect(fake.pendingTimers()).toBe(0);
    const first = meter.hold();
    const second = meter.hold();
    expect(fake.pendingTimers()).toBe(1);
    first();
    first(); // releasing twice counts once
    expect(fake.pendingTimers()).toBe(1);
    late = 100;
    await fake.advance(500);
    second();
    expect(fake.pendingTimers()).toBe(0);
    const measured = meter.totalMs();
    expect(measured).toBeGreaterThanOrEqual(300);
    await fake.advance(5000); // idle: nothing ticks, nothing is counted
    expect(meter.totalMs()).toBe(measured);
    meter.stop();
  });

  test('between probes, a timer that runs anyway reports its lateness, once per stall', async () => {
    const fake = createFakeScheduler(0);
    const meter = createStallMeter(fake, { tickMs: 20, minLateMs: 5 });
    meter.start();
    await fake.advance(1000);
    meter.timerFired(1000); // on time
    meter.timerFired(998); // jitter
    expect(meter.totalMs()).toBe(0);
    await fake.advance(800);
    meter.timerFired(1100); // due at 1100, fired at 1800: stalled 700 ms
    meter.timerFired(1500); // another timer late for the same stall
    expect(meter.totalMs()).toBe(700);
    expect(meter.stalledBetween(1000, 1500)).toBe(400);
    meter.stop();
    meter.timerFired(0); // stopped: not counted
    expect(meter.totalMs()).toBe(700);
  });
});
