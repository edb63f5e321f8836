import { createOnDemandProber } from '../../../src/probe/on-demand';
import type { TargetProber } from '../../../src/probe/report';
import { makeTarget } from '../../helpers/targets';

/** Probers that answer after `ms` (at once as `closed` when dropped), counting how many run. */
function slowProbers(ms: number) {
  const seen = { running: 0, most: 0, dropped: 0 };
  const proberFor = (): TargetProber => {
    let dropped = () => undefined as void;
    return {
      async probe() {
        seen.running += 1;
        seen.most = Math.max(seen.most, seen.running);
        const ended = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), ms);
          dropped = () => (clearTimeout(timer), resolve(true));
        });
        seen.running -= 1;
        return ended
          ? { result: { ok: false, reason: 'closed', message: 'Connection is closed.' } }
          : { result: { ok: true, seconds: ms / 1000 } };
      },
      close: () => Promise.resolve(),
      drop() {
        seen.dropped += 1;
        dropped();
      },
    };
  };
  return { proberFor, seen };
}

const main = makeTarget({ name: 'main', timeoutMs: 200 });
const targets = (name: string) => (name === main.name ? main : undefined);

test('beyond the concurrency a request waits for a slot within its scrape budget', async () => {
  const { proberFor, seen } = slowProbers(50);
  const probeNow = createOnDemandProber(targets, proberFor, 2);
  // A 10 s scrape budget leaves plenty of room to wait for the two slots.
  const answers = await Promise.all(Array.from({ length: 6 }, () => probeNow('main', 10)));
  expect(answers.map((answer) => answer.kind)).toEqual(Array(6).fill('probed'));
  expect(seen.most).toBe(2);
});

test('a request whose budget leaves no room to wait is turned away (busy)', async () => {
  const { proberFor } = slowProbers(300);
  const probeNow = createOnDemandProber(targets, proberFor, 1);
  // Budget 0.8 s − 0.5 s offset = 300 ms, all of it the probe's timeout (200 ms) and 100 ms
  // to wait: the first holds its slot for 300 ms, so the second cannot get one in time.
  const [first, second] = await Promise.all([probeNow('main', 0.8), probeNow('main', 0.8)]);
  expect(first?.kind).toBe('probed');
  expect(second?.kind).toBe('busy');
  // Once it is free again, the next request is served.
  expect((await probeNow('main', 0.8)).kind).toBe('probed');
});

test('an unknown name is never probed', async () => {
  const { proberFor, seen } = slowProbers(1);
  const probeNow = createOnDemandProber(targets, proberFor, 1);
  expect(await probeNow('elsewhere', 10)).toEqual({ kind: 'unknown' });
  expect(seen.most).toBe(0);
});

test('a client that goes drops its probe at once and gives up its place in the queue', async () => {
  const { proberFor, seen } = slowProbers(5000);
  const probeNow = createOnDemandProber(targets, proberFor, 1);
  const first = new AbortController();
  const second = new AbortController();
  const running = probeNow('main', 30, first.signal);
  const waiting = probeNow('main', 30, second.signal);
  second.abort();
  expect(await waiting).toEqual({ kind: 'gone' });
  const started = performance.now();
  first.abort();
  expect(await running).toMatchObject({ kind: 'probed', report: { result: { reason: 'closed' } } });
  expect(performance.now() - started).toBeLessThan(1000);
  expect(seen).toMatchObject({ running: 0, most: 1, dropped: 1 });
  // Its slot is free again: the next request is probed at once, not queued.
  const third = new AbortController();
  const next = probeNow('main', 30, third.signal);
  third.abort();
  expect((await next).kind).toBe('probed');
});
