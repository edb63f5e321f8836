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
  /** Whether the sidecar itself works: its heartbeat and every target's loop are on time. */
  liveness(): Liveness;
}

const HEARTBEAT_MS = 1000;
/** How far behind schedule a timer or a probe may fall before the sidecar counts as stuck. */
const STALL_GRACE_MS = 10_000;

/** Probes every target concurrently, each on its own schedule, and keeps a heartbeat. */
export function createMonitor(options: MonitorOptions): Monitor {
  const { scheduler } = options;
  const entries = options.targets.map((target) => {
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
  });
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
      await Promise.all(entries.map(({ monitor }) => monitor.stop()));
      await Promise.all(entries.map(({ prober }) => prober.close()));
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
