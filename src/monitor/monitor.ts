import type { Target } from '../config/types';
import type { ProbeContext } from '../probe/prober';
import type { TargetProber } from '../probe/report';
import { fanOut, type MonitorListener } from './listener';
import type { Scheduler } from './scheduler';
import { createStallMeter } from './stall-meter';
import { createTargetMonitor, type TargetMonitor } from './target-monitor';
import type { TargetStatus } from './target-status';

export interface MonitorOptions {
  targets: readonly Target[];
  createProber: (target: Target, context: ProbeContext) => TargetProber;
  scheduler: Scheduler;
  /** Hear about targets added and removed, probes and breaker transitions. */
  listeners: readonly MonitorListener[];
  random?: () => number;
}

export interface Liveness {
  ok: boolean;
  detail: string;
}

export interface Monitor {
  start(): void;
  /** Stops every schedule, waits for probes under way, then closes the connections. */
  stop(): Promise<void>;
  statuses(): readonly TargetStatus[];
  /**
   * Swaps in a new target list (a config reload). A target whose settings did not change keeps
   * its state and connection; a changed one starts afresh; a removed one stops and closes.
   */
  update(targets: readonly Target[]): Promise<void>;
  /** Whether the sidecar itself works: its heartbeat and every target's loop are on time. */
  liveness(): Liveness;
  /** Milliseconds the sidecar itself could not run since start (CPU quota, neighbours, SIGSTOP). */
  stalledMs(): number;
}

const HEARTBEAT_MS = 1000;
/** The first probes of many targets are spread by this much each (at most half an interval). */
const STAGGER_MS = 1;
/** How far behind schedule a timer or a probe may fall before the sidecar counts as stuck. */
const STALL_GRACE_MS = 10_000;

/**
 * Probes every target concurrently, each on its own schedule, and keeps a heartbeat. The one
 * owner of the target set: it announces every target it adds and removes to its listeners.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const { scheduler } = options;
  const listener = fanOut(options.listeners);
  const stall = createStallMeter(scheduler);
  const context: ProbeContext = { stalled: (from, to) => stall.stalledBetween(from, to) };
  const build = (target: Target) => {
    const prober = options.createProber(target, context);
    const monitor: TargetMonitor = createTargetMonitor(target, {
      scheduler,
      // The stall meter measures closely only while a probe waits on Redis.
      probe: async () => {
        const release = stall.hold();
        try {
          return await prober.probe();
        } finally {
          release();
        }
      },
      listener,
      ...(options.random !== undefined && { random: options.random }),
    });
    return { prober, monitor };
  };
  type Entry = ReturnType<typeof build>;
  const nameOf = (entry: Entry) => entry.monitor.status.target.name;
  let entries: Entry[] = options.targets.map(build);
  for (const target of options.targets) listener.added(target);
  const retire = async (retired: readonly Entry[]) => {
    await Promise.all(retired.map(({ monitor }) => monitor.stop()));
    await Promise.all(retired.map(({ prober }) => prober.close()));
  };
  let lastBeat = scheduler.now();
  let heartbeat: unknown;
  let running = false;

  const beat = () => {
    lastBeat = scheduler.now();
    const dueAt = lastBeat + HEARTBEAT_MS;
    heartbeat = scheduler.setTimeout(() => {
      // Between probes, the heartbeat's own lateness is what the stall meter hears.
      stall.timerFired(dueAt);
      beat();
    }, HEARTBEAT_MS);
  };

  /**
   * Starts the loops that are not running yet, spread a little so that a thousand targets do
   * not all connect in the same millisecond; every one still probes within half an interval.
   */
  const startSpread = (list: readonly Entry[]) => {
    const fresh = list.filter(({ monitor }) => !monitor.running());
    fresh.forEach(({ monitor }, index) => {
      const spreadMs = Math.min(fresh.length * STAGGER_MS, monitor.status.target.intervalMs / 2);
      monitor.start((spreadMs * index) / fresh.length);
    });
  };

  return {
    stalledMs: () => stall.totalMs(),
    start() {
      if (running) return;
      running = true;
      stall.start();
      beat();
      startSpread(entries);
    },
    async stop() {
      running = false;
      scheduler.clearTimeout(heartbeat);
      stall.stop();
      await retire(entries);
    },
    async update(targets) {
      const current = new Map(entries.map((entry) => [nameOf(entry), entry]));
      const next = targets.map((target) => {
        const kept = current.get(target.name);
        return kept !== undefined && sameSettings(kept.monitor.status.target, target)
          ? kept
          : build(target);
      });
      const names = new Set(targets.map((target) => target.name));
      const retired = entries.filter((entry) => !next.includes(entry));
      // A changed target keeps its name, so its series go on; only new names are announced.
      for (const target of targets) if (!current.has(target.name)) listener.added(target);
      entries = next;
      if (running) startSpread(next);
      await retire(retired);
      for (const entry of retired) {
        if (!names.has(nameOf(entry))) listener.removed(entry.monitor.status.target);
      }
    },
    statuses: () => entries.map(({ monitor }) => monitor.status),
    liveness() {
      const late = scheduler.now() - lastBeat;
      if (running && late > HEARTBEAT_MS + STALL_GRACE_MS) {
        return { ok: false, detail: `scheduler heartbeat is ${late}ms old` };
      }
      const stalled = entries.find(({ monitor }) => monitor.stalled(STALL_GRACE_MS));
      if (stalled !== undefined) {
        return {
          ok: false,
          detail: `probe loop of ${nameOf(stalled)} is stuck`,
        };
      }
      return { ok: true, detail: 'ok' };
    },
  };
}

/** Whether a reloaded target is the same as the running one (its settings, all of them). */
function sameSettings(running: Target, reloaded: Target): boolean {
  return JSON.stringify(running) === JSON.stringify(reloaded);
}
