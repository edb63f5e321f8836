import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { EventEmitter } from 'node:events';
import { createExposition, type Exposition } from '../../../src/exposition/exposition';
import { addComputedGauge, addTargetGauge } from '../../../src/exposition/gauge-families';
import { addTargetCounter, addTargetHistogram } from '../../../src/exposition/series-families';
import type { TargetStatus } from '../../../src/monitor/target-status';
import { renderPage } from '../../helpers/render';
import { makeTarget } from '../../helpers/targets';

type TextFormat = 'prometheus' | 'openmetrics';
const ACCEPT = { prometheus: 'text/plain', openmetrics: 'application/openmetrics-text' };

/** The rendered text, its buffer handed back at once (so renders reuse it, as in service). */
async function text(source: Registry | Exposition, format: TextFormat): Promise<string> {
  const exposition = source instanceof Registry ? createExposition() : source;
  if (source instanceof Registry) exposition.include(source);
  return (await renderPage(exposition, ACCEPT[format])).body;
}

const ODD_TARGET = 'quote"back\\slash\nnewline';

/** The same metrics, made with prom-client's classes, in a registry of the given content type. */
function promClientRegistry(openMetrics = false) {
  const registry = new Registry();
  if (openMetrics) {
    (registry as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  }
  const registers = [registry];
  const counter = new Counter({
    name: 'c_total',
    help: 'help with \\ and\nnewline',
    labelNames: ['target', 'result'],
    registers,
  });
  counter.inc({ target: 'plain', result: 'ok' }, 3);
  counter.inc({ target: ODD_TARGET, result: 'timeout' });
  const gauge = new Gauge({ name: 'g', help: 'g', labelNames: ['target'], registers });
  gauge.set({ target: 'nan' }, NaN);
  gauge.set({ target: 'inf' }, Infinity);
  gauge.set({ target: 'minus-inf' }, -Infinity);
  gauge.set({ target: 'small' }, 1.5e-7);
  new Gauge({ name: 'unlabelled', help: 'u', registers }).set(42);
  new Gauge({ name: 'empty', help: 'no samples', labelNames: ['target'], registers });
  const histogram = new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['target'],
    buckets: [0.001, 0.01, 0.1],
    registers,
  });
  histogram.observe({ target: 'a' }, 0.005);
  histogram.observe({ target: 'b"' }, 5);
  histogram.zero({ target: 'c' });
  return registry;
}

/** Per-target series fed the same way through our own classes, and through prom-client's. */
function perTargetRegistries() {
  const ours = createExposition();
  const theirs = new Registry();
  const results = [{ result: 'ok' }, { result: 'timeout' }];
  const buckets = [0.001, 0.01];
  const counter = addTargetCounter(ours, 'p_total', 'probes', results);
  const histogram = addTargetHistogram(ours, 'd_seconds', 'latency', buckets);
  const theirCounter = new Counter({
    name: 'p_total',
    help: 'probes',
    labelNames: ['target', 'result'],
    registers: [theirs],
  });
  const theirHistogram = new Histogram({
    name: 'd_seconds',
    help: 'latency',
    labelNames: ['target'],
    buckets,
    registers: [theirs],
  });
  for (const target of ['main', ODD_TARGET, 'idle']) {
    counter.add({ name: target });
    histogram.add({ name: target });
    for (const labels of results) theirCounter.inc({ target, ...labels }, 0);
    theirHistogram.zero({ target });
  }
  for (const [target, seconds] of [
    ['main', 0.0004],
    ['main', 0.001],
    ['main', 0.3],
    [ODD_TARGET, 0.002],
  ] as const) {
    counter.inc(target, { result: 'ok' });
    theirCounter.inc({ target, result: 'ok' });
    histogram.observe(target, seconds);
    theirHistogram.observe({ target }, seconds);
  }
  counter.inc('main', { result: 'timeout' });
  theirCounter.inc({ target: 'main', result: 'timeout' });
  counter.remove('idle');
  histogram.remove('idle');
  theirCounter.remove({ target: 'idle', result: 'ok' });
  theirCounter.remove({ target: 'idle', result: 'timeout' });
  theirHistogram.remove({ target: 'idle' });
  return { ours, theirs };
}

describe('exposition', () => {
  test('writes the same bytes as prom-client, escapes and odd values included', async () => {
    const registry = promClientRegistry();
    expect(await text(registry, 'prometheus')).toBe(await registry.metrics());
  });

  test('writes the same OpenMetrics as prom-client, and leaves the live counters named as they were', async () => {
    const registry = promClientRegistry(true);
    const ours = await text(registry, 'openmetrics');
    expect(registry.getSingleMetric('c_total')).toBeDefined();
    expect(ours).toBe(await registry.metrics());
    expect(ours).toContain('# TYPE c counter\nc_total{target="plain",result="ok"} 3');
    expect(ours.endsWith('\n# EOF\n')).toBe(true);
  });

  test.each(['prometheus', 'openmetrics'] as const)(
    'per-target counters and histograms write what prom-client would (%s)',
    async (format) => {
      const { ours, theirs } = perTargetRegistries();
      const theirText = await text(theirs, format);
      expect(await text(ours, format)).toBe(theirText);
      expect(theirText).toContain('d_seconds_bucket{le="0.001",target="main"} 2\n');
      expect(theirText).not.toContain('idle');
    },
  );

  test('computed gauges write what prom-client gauges with the same values would', async () => {
    const ours = createExposition();
    const theirs = new Registry();
    const statuses = [makeTarget({ name: 'main' }), makeTarget({ name: 'other' })].map(
      (target, i): TargetStatus => ({
        target,
        address: 'x',
        breaker: 'closed',
        up: i === 0,
        consecutiveFailures: i,
        probes: 1,
        inconclusiveProbes: 0,
      }),
    );
    addTargetGauge(
      ours,
      () => statuses,
      'up',
      'up',
      (s) => (s.up ? 1 : 0),
    );
    addTargetGauge(
      ours,
      () => statuses,
      'failing',
      'f',
      (s) => (s.consecutiveFailures > 0 ? s.consecutiveFailures : undefined),
    );
    addComputedGauge(ours, 'info', 'i', () => [
      { labels: { target: 'main', address: 'a"b' }, value: 1 },
    ]);
    const registers = [theirs];
    const up = new Gauge({ name: 'up', help: 'up', labelNames: ['target'], registers });
    up.set({ target: 'main' }, 1);
    up.set({ target: 'other' }, 0);
    new Gauge({ name: 'failing', help: 'f', labelNames: ['target'], registers }).set(
      { target: 'other' },
      1,
    );
    new Gauge({ name: 'info', help: 'i', labelNames: ['target', 'address'], registers }).set(
      { target: 'main', address: 'a"b' },
      1,
    );
    const rendered = await text(ours, 'prometheus');
    expect(rendered).toBe(await theirs.metrics());
    expect(rendered).toContain('up{target="main"} 1\nup{target="other"} 0\n');
    expect(rendered).toContain('# TYPE failing gauge\nfailing{target="other"} 1\n');
    expect(rendered).toContain('info{target="main",address="a\\"b"} 1\n');
  });

  test('a page is not written over until its response closes', async () => {
    const registry = promClientRegistry();
    const exposition = createExposition();
    exposition.include(registry);
    const first = new EventEmitter();
    const page = await exposition.render(undefined, first);
    const copy = Buffer.concat(page.chunks);
    const other = new EventEmitter();
    await exposition.render(undefined, other);
    expect(Buffer.concat(page.chunks).equals(copy)).toBe(true);
    first.emit('close');
    other.emit('close');
  });

  test('renders asked for together share one page, kept until its last reader closes', async () => {
    let collected = 0;
    const registry = new Registry();
    new Gauge({
      name: 'collected',
      help: 'how often the page was collected',
      registers: [registry],
      collect() {
        collected += 1;
        this.set(collected);
      },
    });
    const exposition = createExposition();
    exposition.include(registry);
    const [one, two] = [new EventEmitter(), new EventEmitter()];
    const [a, b] = await Promise.all([
      exposition.render(undefined, one),
      exposition.render(undefined, two),
    ]);
    expect(b.chunks).toBe(a.chunks);
    expect(collected).toBe(1);
    const copy = Buffer.concat(a.chunks);
    one.emit('close');
    // Still read by the second request: a later render must not write over it.
    const three = new EventEmitter();
    const c = await exposition.render(undefined, three);
    expect(c.chunks).not.toBe(a.chunks);
    expect(collected).toBe(2);
    expect(Buffer.concat(a.chunks).equals(copy)).toBe(true);
    two.emit('close');
    three.emit('close');
  });
});
