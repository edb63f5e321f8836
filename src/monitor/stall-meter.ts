import type { Scheduler } from './scheduler';

/**
 * Measures when the sidecar itself could not run: a CPU quota throttling it, a busy neighbour
 * on its core, SIGSTOP, or its own event loop busy (start-up). A light ticker notes how late
 * each of its timers fires; a late timer means the process was not running (or not getting to
 * its timers) for that long.
 */
export interface StallMeter {
  /** Milliseconds of [from, to] (epoch ms) during which the sidecar was stalled, including now. */
  stalledBetween(from: number, to: number): number;
  /** Every stalled millisecond counted since start. */
  totalMs(): number;
  start(): void;
  stop(): void;
}

export interface StallMeterOptions {
  /** How often the ticker wakes: the resolution of the measurement. */
  tickMs?: number;
  /** Lateness below this is ordinary timer jitter, not a stall. */
  minLateMs?: number;
  /** How long stalls are remembered; probes look back no further than their timeout. */
  keepMs?: number;
}

const DEFAULTS = { tickMs: 20, minLateMs: 5, keepMs: 60_000 };

export function createStallMeter(
  scheduler: Scheduler,
  options: StallMeterOptions = {},
): StallMeter {
  const { tickMs, minLateMs, keepMs } = { ...DEFAULTS, ...options };
  /** Stalls as [from, to] pairs in time order, flattened. */
  const stalls: number[] = [];
  let total = 0;
  let dueAt: number | undefined;
  let timer: unknown;

  const tick = () => {
    const now = scheduler.now();
    const late = dueAt === undefined ? 0 : now - dueAt;
    if (dueAt !== undefined && late >= minLateMs) {
      stalls.push(dueAt, now);
      total += late;
    }
    while (stalls.length > 0 && (stalls[1] ?? now) < now - keepMs) stalls.splice(0, 2);
    dueAt = now + tickMs;
    timer = scheduler.setTimeout(tick, tickMs);
  };

  return {
    stalledBetween(from, to) {
      let stalled = 0;
      const overlap = (start: number, end: number) => {
        stalled += Math.max(0, Math.min(end, to) - Math.max(start, from));
      };
      for (let i = 0; i < stalls.length; i += 2) overlap(stalls[i] ?? 0, stalls[i + 1] ?? 0);
      // A stall under way: the ticker is overdue (the caller's timer fired before it).
      const now = scheduler.now();
      if (dueAt !== undefined && now - dueAt >= minLateMs) overlap(dueAt, now);
      return stalled;
    },
    totalMs: () => total,
    start() {
      if (dueAt !== undefined) return;
      dueAt = scheduler.now() + tickMs;
      timer = scheduler.setTimeout(tick, tickMs);
    },
    stop() {
      scheduler.clearTimeout(timer);
      dueAt = undefined;
    },
  };
}
