import { Histogram, Registry } from 'prom-client';
import { breakerStates, breakerTransitions } from '../breaker/breaker';
import type { Exposition } from '../exposition/exposition';
import { addComputedGauge, addTargetGauge } from '../exposition/gauge-families';
import { addTargetCounter, addTargetHistogram } from '../exposition/series-families';
import type { ReloadOutcome } from '../monitor/history';
import type { MonitorListener } from '../monitor/listener';
import type { TargetStatus } from '../monitor/target-status';
import { latencyTrusted } from '../probe/report';
import type { Sharding } from '../config/types';
import { reasons } from '../probe/result';
import { addDefaultMetrics } from './event-loop-lag';
import { addServerMetrics } from './server-metrics';

/** What the metrics read at scrape time. */
export interface MetricsSource {
  statuses(): readonly TargetStatus[];
  ready(): boolean;
  /** Milliseconds the sidecar itself could not run, so far. */
  stalledMs(): number;
  /** Seconds its cgroup's CPU quota held it back, so far; undefined where not readable. */
  throttledSeconds(): number | undefined;
  /** This process's shard of the targets. */
  sharding(): Sharding;
}

export interface BuildInfo {
  version: string;
  nodejs: string;
}

export interface Metrics {
  /** Hand this to the monitor: it creates and deletes targets' series and feeds the counters. */
  listener: MonitorListener;
  /** Records how a config reload ended; `at` is Unix time in milliseconds. */
  reloaded(outcome: ReloadOutcome, at: number): void;
}

/** Probe round trips from 100 µs to 1 s: loopback Redis answers in well under a millisecond. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Probe start delays from 1 ms (normal) to 1 s (a stalled event loop). */
const DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Adds the whole metric catalogue to `exposition`. Gauges describing current state are
 * computed at scrape time from `source`; counters are fed through `listener`.
 */
export function createMetrics(
  exposition: Exposition,
  source: MetricsSource,
  build: BuildInfo,
): Metrics {
  const perTarget = (name: string, help: string, read: (status: TargetStatus) => number) =>
    addTargetGauge(exposition, () => source.statuses(), name, help, read);
  const computed = (
    name: string,
    help: string,
    samples: Parameters<typeof addComputedGauge>[3],
    type?: 'gauge' | 'counter',
  ) => addComputedGauge(exposition, name, help, samples, type);

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
  computed(
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
  computed(
    'redis_health_target_info',
    "Configured targets: address is host:port or socket path, never credentials; the target's own labels beside.",
    () =>
      source.statuses().map(({ target, address }) => ({
        labels: {
          target: target.name,
          address,
          db: String(target.db),
          mode: target.mode,
          required: String(target.required),
          ...target.labels,
        },
        value: 1,
      })),
  );
  computed(
    'redis_health_shard_info',
    "This process's shard of the targets (Prometheus hashmod of the target name); 0 of 1 when unsharded.",
    () => {
      const { shard, total } = source.sharding();
      return [{ labels: { shard: String(shard), total: String(total) }, value: 1 }];
    },
  );
  computed('redis_health_ready', '1 when /readyz would answer 200.', () => [
    { labels: {}, value: source.ready() ? 1 : 0 },
  ]);
  computed('redis_health_build_info', 'Version of the sidecar and of Node.js.', () => [
    { labels: { version: build.version, nodejs: build.nodejs }, value: 1 },
  ]);
  const probes = addTargetCounter(
    exposition,
    'redis_health_probes_total',
    'Probes by result: ok or the failure reason.',
    reasons.map((result) => ({ result })),
  );
  const changes = addTargetCounter(
    exposition,
    'redis_health_breaker_transitions_total',
    'Circuit breaker transitions; trips are to="open".',
    breakerTransitions, // each counter exists from the start, at zero
  );
  const latency = addTargetHistogram(
    exposition,
    'redis_health_probe_duration_seconds',
    'Round-trip time of successful probes (PING), in seconds.',
    LATENCY_BUCKETS,
  );
  let reloadOk = true;
  let reloadAt = Date.now();
  computed(
    'redis_health_config_last_reload_successful',
    '1 if the last config reload succeeded (or none was tried).',
    () => [{ labels: {}, value: reloadOk ? 1 : 0 }],
  );
  computed(
    'redis_health_config_last_reload_success_timestamp_seconds',
    'Unix time of the last successful config load (start-up counts).',
    () => [{ labels: {}, value: reloadAt / 1000 }],
  );
  computed(
    'redis_health_sidecar_stalled_seconds_total',
    'Time the sidecar itself could not run (CPU quota, busy neighbours, its own start-up): probes timing out then are inconclusive, not failures.',
    () => [{ labels: {}, value: source.stalledMs() / 1000 }],
    'counter',
  );
  computed(
    'redis_health_cpu_throttled_seconds_total',
    "Time the sidecar's cgroup CPU quota held it back (cpu.stat); absent where not readable.",
    () => {
      const seconds = source.throttledSeconds();
      return seconds === undefined ? [] : [{ labels: {}, value: seconds }];
    },
    'counter',
  );
  addServerMetrics(exposition, () => source.statuses());

  // prom-client's own: the process metrics, and one histogram without a target label.
  const registry = new Registry();
  const lateness = new Histogram({
    name: 'redis_health_schedule_delay_seconds',
    help: 'How late probes start against their schedule: timer and event-loop delay, all targets.',
    buckets: DELAY_BUCKETS,
    registers: [registry],
  });
  const loopLag = addDefaultMetrics(registry);
  exposition.include(registry);

  const perTargetSeries = [probes, changes, latency];
  return {
    listener: {
      added: (target) => perTargetSeries.forEach((series) => series.add(target)),
      removed: (target) => perTargetSeries.forEach((series) => series.remove(target.name)),
      started(_target, lateMs) {
        lateness.observe(lateMs / 1000);
        loopLag(lateMs);
      },
      probed(target, report) {
        const { result } = report;
        probes.inc(target.name, { result: result.ok ? 'ok' : result.reason });
        if (result.ok && latencyTrusted(report)) latency.observe(target.name, result.seconds);
      },
      transitioned: (target, transition) => changes.inc(target.name, transition),
    },
    reloaded(outcome, at) {
      reloadOk = outcome === 'applied';
      if (reloadOk) reloadAt = at;
    },
  };
}
