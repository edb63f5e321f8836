import type { Target } from '../config/types';
import type { ClusterView } from '../probe/cluster-probe';
import type { FactsView } from '../probe/redis-probe';
import type { ProbeResult } from '../probe/result';
import type { Scheduler } from './scheduler';
import { createTargetMonitor, type MonitorEvents, type TargetMonitor } from './target-monitor';
import type { TargetStatus } from './target-status';

/** How one target is probed; built by main from the redis/ and probe/ modules. */
export interface TargetProber {
  probe(): Promise<ProbeResult>;
  /** Where the last probe went, when that can change (the master behind a sentinel). */
  address?(): string | undefined;
  /** The masters of a cluster target as the last probe saw them. */
  cluster?(): ClusterView;
  /** The last INFO of a standalone or sentinel target. */
  facts?(): FactsView;
  /** Closes the connection politely (QUIT). */
  close(): Promise<void>;
}

export interface MonitorOptions {
  targets: readonly Target[];
  createProber: (target: Target) => TargetProber;
  scheduler: Scheduler;
  events: MonitorEvents;
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
}

const HEARTBEAT_MS = 1000;
/** How far behind schedule a timer or a probe may fall before the sidecar counts as stuck. */
const STALL_GRACE_MS = 10_000;

/** Probes every target concurrently, each on its own schedule, and keeps a heartbeat. */
export function createMonitor(options: MonitorOptions): Monitor {
  const { scheduler } = options;
  const build = (target: Target) => {
    const prober = options.createProber(target);
    const monitor: TargetMonitor = createTargetMonitor(target, {
      scheduler,
      probe: () => prober.probe(),
      address: () => prober.address?.(),
      cluster: () => prober.cluster?.(),
      facts: () => prober.facts?.(),
      events: options.events,
      ...(options.random !== undefined && { random: options.random }),
    });
    return { prober, monitor };
  };
  type Entry = ReturnType<typeof build>;
  let entries: Entry[] = options.targets.map(build);
  const retire = async (retired: readonly Entry[]) => {
    await Promise.all(retired.map(({ monitor }) => monitor.stop()));
    await Promise.all(retired.map(({ prober }) => prober.close()));
  };
  let lastBeat = scheduler.now();
  let heartbeat: unknown;
  let running = false;

  const beat = () => {
    lastBeat = scheduler.now();
    heartbeat = scheduler.setTimeout(beat, HEARTBEAT_MS);
  };

  return {
    start() {
      if (running) return;
      running = true;
      beat();
      for (const { monitor } of entries) monitor.start();
    },
    async stop() {
      running = false;
      scheduler.clearTimeout(heartbeat);
      await retire(entries);
    },
    async update(targets) {
      const current = new Map(entries.map((entry) => [entry.monitor.status.target.name, entry]));
      const next = targets.map((target) => {
        const kept = current.get(target.name);
        return kept !== undefined && sameSettings(kept.monitor.status.target, target)
          ? kept
          : build(target);
      });
      const retired = entries.filter((entry) => !next.includes(entry));
      entries = next;
      if (running) for (const { monitor } of next) monitor.start();
      await retire(retired);
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
          detail: `probe loop of ${stalled.monitor.status.target.name} is stuck`,
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
