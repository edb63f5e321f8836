import { createExposition, type Exposition } from '../../../src/exposition/exposition';
import { renderPage } from '../../helpers/render';
import { createMetrics } from '../../../src/metrics/create-metrics';
import type { TargetStatus } from '../../../src/monitor/target-status';
import { makeTarget } from '../../helpers/targets';

function setup() {
  const registry = createExposition();
  const main = makeTarget({ name: 'main' });
  let statuses: TargetStatus[] = [
    {
      target: main,
      address: main.address,
      breaker: 'closed',
      up: undefined,
      consecutiveFailures: 0,
      probes: 0,
      inconclusiveProbes: 0,
    },
  ];
  let ready = false;
  const metrics = createMetrics(
    registry,
    {
      statuses: () => statuses,
      ready: () => ready,
      stalledMs: () => 1500,
      throttledSeconds: () => undefined,
      sharding: () => ({ shard: 0, total: 1 }),
    },
    { version: '1.2.3', nodejs: 'v20.0.0' },
  );
  metrics.listener.added?.(main);
  return {
    registry,
    metrics,
    main,
    setStatuses: (next: TargetStatus[]) => (statuses = next),
    setReady: (value: boolean) => (ready = value),
  };
}

const render = renderPage;

async function sample(registry: Exposition, series: string): Promise<number | undefined> {
  const text = (await render(registry)).body;
  const line = text.split('\n').find((item) => item.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  test('every series of a target exists from the start, at zero', async () => {
    const { registry } = setup();
    const text = (await render(registry)).body;
    expect(text).toContain('redis_health_up{target="main"} 0\n');
    expect(text).toContain('redis_health_probes_total{target="main",result="timeout"} 0\n');
    expect(text).toContain(
      'redis_health_breaker_transitions_total{target="main",from="closed",to="open"} 0\n',
    );
    expect(text).toContain(
      'redis_health_probe_duration_seconds_bucket{le="0.0001",target="main"} 0\n',
    );
    expect(text).toContain('redis_health_breaker_state{target="main",state="closed"} 1\n');
    expect(text).toContain('redis_health_breaker_state{target="main",state="open"} 0\n');
    expect(text).toContain(
      'redis_health_target_info{target="main",address="127.0.0.1:6379",db="0",mode="standalone",required="true"} 1\n',
    );
    expect(text).toContain('redis_health_build_info{version="1.2.3",nodejs="v20.0.0"} 1\n');
    expect(text).toContain('redis_health_ready 0\n');
    expect(text).toContain('process_resident_memory_bytes');
  });

  test('probe events feed the counters and the latency histogram', async () => {
    const { registry, metrics, main } = setup();
    metrics.listener.probed?.(main, { result: { ok: true, seconds: 0.0003 } });
    metrics.listener.probed?.(main, { result: { ok: false, reason: 'refused', message: 'x' } });
    metrics.listener.transitioned?.(main, { from: 'closed', to: 'open' }, 'refused');
    expect(await sample(registry, 'redis_health_probes_total{target="main",result="ok"}')).toBe(1);
    expect(
      await sample(registry, 'redis_health_probes_total{target="main",result="refused"}'),
    ).toBe(1);
    expect(
      await sample(
        registry,
        'redis_health_breaker_transitions_total{target="main",from="closed",to="open"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        registry,
        'redis_health_probe_duration_seconds_bucket{le="0.0005",target="main"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        registry,
        'redis_health_probe_duration_seconds_bucket{le="0.00025",target="main"}',
      ),
    ).toBe(0);
  });

  test('a round trip spent mostly stalled counts as ok but stays out of the latency histogram', async () => {
    const { registry, metrics, main } = setup();
    metrics.listener.probed?.(main, { result: { ok: true, seconds: 0.2 }, stalledMs: 180 });
    metrics.listener.probed?.(main, {
      result: { ok: false, reason: 'inconclusive', message: 'stalled' },
      stalledMs: 240,
    });
    expect(await sample(registry, 'redis_health_probes_total{target="main",result="ok"}')).toBe(1);
    expect(
      await sample(registry, 'redis_health_probes_total{target="main",result="inconclusive"}'),
    ).toBe(1);
    expect(await sample(registry, 'redis_health_probe_duration_seconds_count{target="main"}')).toBe(
      0,
    );
    expect(await sample(registry, 'redis_health_sidecar_stalled_seconds_total')).toBe(1.5);
  });

  test('state gauges are read at scrape time', async () => {
    const { registry, main, setStatuses, setReady } = setup();
    setStatuses([
      {
        target: main,
        address: main.address,
        breaker: 'open',
        up: false,
        consecutiveFailures: 7,
        probes: 7,
        inconclusiveProbes: 0,
        lastSuccessAt: 1_700_000_000_500,
      },
    ]);
    setReady(true);
    expect(await sample(registry, 'redis_health_breaker_state{target="main",state="open"}')).toBe(
      1,
    );
    expect(await sample(registry, 'redis_health_breaker_state{target="main",state="closed"}')).toBe(
      0,
    );
    expect(await sample(registry, 'redis_health_consecutive_failures{target="main"}')).toBe(7);
    expect(
      await sample(registry, 'redis_health_last_success_timestamp_seconds{target="main"}'),
    ).toBe(1_700_000_000.5);
    expect(await sample(registry, 'redis_health_ready')).toBe(1);
  });

  test('a removed target loses all its series', async () => {
    const { registry, metrics, main, setStatuses } = setup();
    setStatuses([]);
    metrics.listener.removed?.(main);
    expect((await render(registry)).body).not.toContain('target="main"');
  });

  test('OpenMetrics when asked, and Prometheus text stays intact afterwards', async () => {
    const { registry } = setup();
    const open = await render(
      registry,
      'application/openmetrics-text;version=1.0.0,text/plain;q=0.5',
    );
    expect(open.contentType).toMatch(/^application\/openmetrics-text/);
    expect(open.body).toContain('# TYPE redis_health_probes counter\n');
    expect(open.body).toContain('redis_health_probes_total{target="main",result="ok"} 0\n');
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    const text = await render(registry, 'text/plain');
    expect(text.contentType).toMatch(/^text\/plain; version=0.0.4/);
    expect(text.body).toContain('# TYPE redis_health_probes_total counter\n');
  });
});
