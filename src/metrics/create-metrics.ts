import { collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import { breakerStates, type Transition } from '../breaker/breaker';
import type { Target } from '../config/types';
import type { MonitorEvents } from '../monitor/target-monitor';
import type { TargetStatus } from '../monitor/target-status';
import { reasons, type ProbeResult } from '../probe/result';
import { createServerMetrics } from './server-metrics';
import { createComputedGauge, createTargetGauge } from './target-gauge';
import { createTargetCounter, createTargetHistogram } from './target-series';

/** What the metrics read at scrape time. */
export interface MetricsSource {
  statuses(): readonly TargetStatus[];
  ready(): boolean;
}

export interface BuildInfo {
  version: string;
  nodejs: string;
}

export interface Metrics {
  /** Feeds counters and the latency histogram. */
  events: MonitorEvents;
  /** Creates every series of new targets (at zero) and deletes those of targets no longer listed. */
  track(targets: readonly Target[]): void;
  /** Records the outcome of a config reload; `at` is Unix time in milliseconds. */
  reloaded(ok: boolean, at: number): void;
}

/** The transitions a breaker can make; their counters exist from the start, at zero. */
const transitions: readonly Transition[] = [
  { from: 'closed', to: 'open' },
  { from: 'open', to: 'half_open' },
  { from: 'half_open', to: 'closed' },
  { from: 'half_open', to: 'open' },
];

/** Probe round trips from 100 µs to 1 s: loopback Redis answers in well under a millisecond. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Probe start delays from 1 ms (normal) to 1 s (a stalled event loop). */
const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Creates the whole metric catalogue on `registry` (never the global one). Gauges describing
 * current state are computed at scrape time from `source`; counters are fed by `events`.
 */
export function createMetrics(
  registry: Registry,
  source: MetricsSource,
  build: BuildInfo,
): Metrics {
  const registers = [registry];
  const perTarget = (name: string, help: string, read: (status: TargetStatus) => number) =>
    createTargetGauge(registry, () => source.statuses(), name, help, read);

  perTarget('redis_health_up', '1 if the last completed probe of the target succeeded.', (s) =>
    s.up === true ? 1 : 0,
  );
  perTarget(
    'redis_health_consecutive_failures',
    'Current run of consecutive failed probes.',
    (s) => s.consecutiveFailures,
  );
  perTarget(
    'redis_health_last_success_timestamp_seconds',
    'Unix time of the last successful probe; 0 before the first.',
    (s) => (s.lastSuccessAt ?? 0) / 1000,
  );
  createComputedGauge(
    registry,
    'redis_health_breaker_state',
    'Circuit breaker state of the target: exactly one state is 1.',
    () =>
      source.statuses().flatMap((status) =>
        breakerStates.map((state) => ({
          labels: { target: status.target.name, state },
          value: status.breaker === state ? 1 : 0,
        })),
      ),
  );
  createComputedGauge(
    registry,
    'redis_health_target_info',
    'Configured targets: address is host:port or socket path, never credentials.',
    () =>
      source.statuses().map(({ target, address }) => ({
        labels: {
          target: target.name,
          address,
          db: String(target.db),
          mode: target.mode,
          required: String(target.required),
        },
        value: 1,
      })),
  );
  new Gauge({
    name: 'redis_health_ready',
    help: '1 when /readyz would answer 200.',
    registers,
    collect() {
      this.set(source.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'redis_health_build_info',
    help: 'Version of the sidecar and of Node.js.',
    labelNames: ['version', 'nodejs'],
    registers,
  }).set({ version: build.version, nodejs: build.nodejs }, 1);

  const probes = createTargetCounter(
    registry,
    'redis_health_probes_total',
    'Probes by result: ok or the failure reason.',
    reasons.map((result) => ({ result })),
  );
  const changes = createTargetCounter(
    registry,
    'redis_health_breaker_transitions_total',
    'Circuit breaker transitions; trips are to="open".',
    transitions,
  );
  const latency = createTargetHistogram(
    registry,
    'redis_health_probe_duration_seconds',
    'Round-trip time of successful probes (PING), in seconds.',
    LATENCY_BUCKETS,
  );
  const lateness = new Histogram({
    name: 'redis_health_schedule_delay_seconds',
    help: 'How late probes start against their schedule: timer and event-loop delay, all targets.',
    buckets: DELAY_BUCKETS,
    registers,
  });
  const reloadOk = new Gauge({
    name: 'redis_health_config_last_reload_successful',
    help: '1 if the last config reload succeeded (or none was tried).',
    registers,
  });
  const reloadAt = new Gauge({
    name: 'redis_health_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful config load (start-up counts).',
    registers,
  });
  reloadOk.set(1);
  reloadAt.set(Date.now() / 1000);
  createServerMetrics(registry, () => source.statuses());
  collectDefaultMetrics({ register: registry });

  const perTargetSeries = [probes, changes, latency];
  let tracked = new Set<string>();
  return {
    events: {
      started(_target: Target, lateMs: number) {
        lateness.observe(lateMs / 1000);
      },
      probed(target: Target, result: ProbeResult) {
        probes.inc(target.name, { result: result.ok ? 'ok' : result.reason });
        if (result.ok) latency.observe(target.name, result.seconds);
      },
      transitioned(target: Target, transition: Transition) {
        changes.inc(target.name, transition);
      },
    },
    reloaded(ok, at) {
      reloadOk.set(ok ? 1 : 0);
      if (ok) reloadAt.set(at / 1000);
    },
    track(targets) {
      const names = new Set(targets.map((target) => target.name));
      for (const name of tracked) {
        if (!names.has(name)) for (const series of perTargetSeries) series.remove(name);
      }
      for (const name of names) for (const series of perTargetSeries) series.add(name);
      tracked = names;
    },
  };
}
