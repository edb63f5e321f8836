import type { Scheduler } from './scheduler';

/**
 * Measures when the sidecar itself could not run: a CPU quota throttling it, a busy neighbour
 * on its core, SIGSTOP, or its own event loop busy (start-up). While a probe waits on Redis, a
 * light ticker notes how late each of its timers fires; a late timer means the process was not
 * running (or not getting to its timers) for that long. In between, an idle sidecar does not
 * tick: the timers that run anyway (the heartbeat) report their own lateness.
 */
export interface StallMeter {
  /** Milliseconds of [from, to] (epoch ms) during which the sidecar was stalled, including now. */
  stalledBetween(from: number, to: number): number;
  /** Every stalled millisecond counted since start. */
  totalMs(): number;
  /** Measures closely until the returned release is called: a probe holds it while it waits. */
  hold(): () => void;
  /** A timer due at `dueAt` (epoch ms) fired now: its lateness, if any, is a stall. */
  timerFired(dueAt: number): void;
  start(): void;
  stop(): void;
}

export interface StallMeterOptions {
  /** How often the ticker wakes while held: the resolution of the measurement. */
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
  /** Stalls as [from, to] pairs in time order, not overlapping, flattened. */
  const stalls: number[] = [];
  let total = 0;
  let running = false;
  let holders = 0;
  /** When the ticker is due; undefined while it does not tick. */
  let dueAt: number | undefined;
  let timer: unknown;

  const record = (late: number, now: number) => {
    if (late < minLateMs) return;
    // Two timers late for the same stall count it once.
    const from = Math.max(now - late, stalls.at(-1) ?? -Infinity);
    if (from >= now) return;
    stalls.push(from, now);
    total += now - from;
    while (stalls.length > 0 && (stalls[1] ?? now) < now - keepMs) stalls.splice(0, 2);
  };
  const tick = () => {
    const now = scheduler.now();
    record(now - (dueAt ?? now), now);
    dueAt = now + tickMs;
    timer = scheduler.setTimeout(tick, tickMs);
  };
  const startTicking = () => {
    if (!running || holders === 0 || dueAt !== undefined) return;
    dueAt = scheduler.now() + tickMs;
    timer = scheduler.setTimeout(tick, tickMs);
  };
  const stopTicking = () => {
    if (dueAt === undefined) return;
    const now = scheduler.now();
    record(now - dueAt, now); // a stall that ends with the hold
    scheduler.clearTimeout(timer);
    dueAt = undefined;
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
    hold() {
      holders += 1;
      startTicking();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders -= 1;
        if (holders === 0) stopTicking();
      };
    },
    timerFired(timerDueAt) {
      if (!running) return;
      const now = scheduler.now();
      record(now - timerDueAt, now);
    },
    start() {
      running = true;
      startTicking();
    },
    stop() {
      running = false;
      stopTicking();
    },
  };
}
