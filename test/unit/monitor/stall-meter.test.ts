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
    meter.stop();
  });

  test('a stall under way counts before the ticker catches up', () => {
    let now = 0;
    // Timers never fire here: as when a probe's own deadline runs first after a stall.
    const frozen = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
    const meter = createStallMeter(frozen, { tickMs: 20 });
    meter.start();
    now = 10;
    expect(meter.stalledBetween(0, now)).toBe(0);
    now = 320;
    expect(meter.stalledBetween(0, now)).toBe(300);
    expect(meter.stalledBetween(220, now)).toBe(100);
    meter.stop();
  });
});
