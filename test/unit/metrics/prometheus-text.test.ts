import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { renderPrometheusText } from '../../../src/metrics/prometheus-text';

describe('renderPrometheusText', () => {
  test('writes the same bytes as prom-client, escapes and odd values included', async () => {
    const registry = new Registry();
    const registers = [registry];
    const counter = new Counter({
      name: 'c_total',
      help: 'help with \\ and\nnewline',
      labelNames: ['target', 'result'],
      registers,
    });
    counter.inc({ target: 'plain', result: 'ok' }, 3);
    counter.inc({ target: 'quote"back\\slash\nnewline', result: 'timeout' });
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
    expect(await renderPrometheusText(registry)).toBe(await registry.metrics());
  });
});
