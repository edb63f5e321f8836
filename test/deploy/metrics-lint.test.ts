import { createExposition } from '../../src/exposition/exposition';
import { createMetrics } from '../../src/metrics/create-metrics';
import { promtoolCheckMetrics } from '../helpers/promtool';
import { renderPage } from '../helpers/render';
import { makeTarget } from '../helpers/targets';

test('promtool check metrics reports nothing about redis_health_*', async () => {
  const exposition = createExposition();
  const main = makeTarget({ name: 'main' });
  const status = {
    target: main,
    address: main.address,
    breaker: 'closed',
    up: true,
    consecutiveFailures: 0,
    probes: 1,
    inconclusiveProbes: 0,
  } as const;
  const metrics = createMetrics(
    exposition,
    {
      statuses: () => [status],
      ready: () => true,
      stalledMs: () => 0,
      throttledSeconds: () => 0,
      sharding: () => ({ shard: 1, total: 4 }),
    },
    { version: '1.2.3', nodejs: 'v20.0.0' },
  );
  metrics.listener.added?.(main);
  metrics.listener.probed?.(main, { result: { ok: true, seconds: 0.001 } });
  const complaints = promtoolCheckMetrics((await renderPage(exposition)).body);
  expect(complaints.filter((line) => line.includes('redis_health'))).toEqual([]);
});
