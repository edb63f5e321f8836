import { Counter, Registry } from 'prom-client';
import { createExposition } from '../../../src/exposition/exposition';
import type { Family } from '../../../src/exposition/text-format';

const family = (name: string, help = 'Something counted.'): Family => ({
  name,
  help,
  type: 'gauge',
  write: (out) => out.text(`${name} 1\n`),
});

test('a family is refused, as prom-client refuses a metric, for a bad name, no help or a duplicate', () => {
  const exposition = createExposition();
  exposition.add(family('redis_health_up'));
  expect(() => exposition.add(family('redis-health-up'))).toThrow('invalid metric name');
  expect(() => exposition.add(family('1st'))).toThrow('invalid metric name');
  expect(() => exposition.add(family('redis_health_down', ' '))).toThrow('has no help text');
  expect(() => exposition.add(family('redis_health_up'))).toThrow('already on this page');
  // prom-client itself refuses the same three things.
  expect(() => new Counter({ name: 'redis-health-up', help: 'x' })).toThrow();
});

test('a registry whose metric is already on the page is refused, and the other way round', async () => {
  const exposition = createExposition();
  const registry = new Registry();
  new Counter({ name: 'redis_health_reloads_total', help: 'Reloads.', registers: [registry] });
  exposition.add(family('redis_health_reloads_total'));
  expect(() => exposition.include(registry)).toThrow('already on this page');

  const other = createExposition();
  other.include(registry);
  expect(() => other.add(family('redis_health_reloads_total'))).toThrow('already on this page');
  const page = await other.render(undefined, { once: () => undefined });
  expect(Buffer.concat(page.chunks).toString()).toContain('redis_health_reloads_total 0');
});
