import { createHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's event-loop monitor wakes the process every 10 ms (100 times a second, most of
 * an idle sidecar's CPU), and at a coarser resolution its figures are the resolution itself. Its
 * timer is set to fire once in 24 days instead, and the summary families it fills are fed by
 * the lateness of the timers the sidecar runs anyway: each probe's start against its schedule.
 */
const NEVER_MS = 2 ** 31 - 1;

const SUMMARIES = [
  ['min', 'The smallest lateness of the probe timers since the last scrape (event-loop delay).'],
  ['max', 'The largest lateness of the probe timers since the last scrape (event-loop delay).'],
  ['mean', 'The mean lateness of the probe timers since the last scrape (event-loop delay).'],
  ['stddev', "The standard deviation of the probe timers' lateness since the last scrape."],
  ['p50', 'The median lateness of the probe timers since the last scrape (event-loop delay).'],
  ['p90', "The 90th percentile of the probe timers' lateness since the last scrape."],
  ['p99', "The 99th percentile of the probe timers' lateness since the last scrape."],
] as const;

/**
 * Registers prom-client's default process and Node.js metrics in `registry`, with the
 * `nodejs_eventloop_lag_*` summaries read from the lateness recorded through the returned
 * function (in milliseconds). Each scrape reads the lateness since the one before; with none
 * recorded, every summary is 0.
 */
export function addDefaultMetrics(registry: Registry): (lateMs: number) => void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
  const lateness = createHistogram();
  const read = {
    min: () => lateness.min,
    max: () => lateness.max,
    mean: () => lateness.mean,
    stddev: () => lateness.stddev,
    p50: () => lateness.percentile(50),
    p90: () => lateness.percentile(90),
    p99: () => lateness.percentile(99),
  };
  // The first family's collect reads all of them, then starts the next window.
  const collect = () => {
    for (const { kind, gauge } of gauges) {
      gauge.set(lateness.count === 0 ? 0 : (read[kind]() || 0) / 1e9);
    }
    lateness.reset();
  };
  const gauges = SUMMARIES.map(([kind, help], index) => {
    const name = `nodejs_eventloop_lag_${kind}_seconds`;
    registry.removeSingleMetric(name);
    const gauge = new Gauge({ name, help, registers: [registry], ...(index === 0 && { collect }) });
    return { kind, gauge };
  });
  return (lateMs) => lateness.record(Math.max(1, Math.round(lateMs * 1e6)));
}
