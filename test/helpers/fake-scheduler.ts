import type { Scheduler } from '../../src/monitor/scheduler';

export interface FakeScheduler extends Scheduler {
  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  pendingTimers(): number;
}

/** Lets every promise chain that is ready run to its end. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A scheduler whose time moves only when the test says so: no sleeping, no flakiness. */
export function createFakeScheduler(start = Date.UTC(2026, 0, 1)): FakeScheduler {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, delayMs) {
      nextId += 1;
      timers.set(nextId, { at: now + Math.max(0, delayMs), callback });
      return nextId;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= end)
          .sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
        if (due === undefined) break;
        const [id, timer] = due;
        timers.delete(id);
        now = timer.at;
        timer.callback();
        await settle();
      }
      now = end;
      await settle();
    },
    pendingTimers: () => timers.size,
  };
}
