import { Registry } from 'prom-client';
import { addDefaultMetrics } from '../../../src/metrics/event-loop-lag';

const value = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

test('the event-loop lag summaries are the probe timers lateness since the last scrape', async () => {
  const registry = new Registry();
  const late = addDefaultMetrics(registry);
  for (const ms of [0, 1, 2, 3, 250]) late(ms);
  const first = await registry.metrics();
  expect(value(first, 'nodejs_eventloop_lag_max_seconds')).toBeCloseTo(0.25, 3);
  expect(value(first, 'nodejs_eventloop_lag_p50_seconds')).toBeCloseTo(0.002, 3);
  expect(value(first, 'nodejs_eventloop_lag_min_seconds')).toBeLessThan(1e-6);
  // Each family once, with prom-client's other default metrics beside them.
  expect(first.match(/^# TYPE nodejs_eventloop_lag_p99_seconds /gm)).toHaveLength(1);
  expect(first).toContain('process_cpu_user_seconds_total');
  // A new window: nothing recorded since, every summary 0.
  const second = await registry.metrics();
  for (const kind of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
    expect(value(second, `nodejs_eventloop_lag_${kind}_seconds`)).toBe(0);
  }
  late(7);
  expect(value(await registry.metrics(), 'nodejs_eventloop_lag_max_seconds')).toBeCloseTo(0.007, 4);
});
