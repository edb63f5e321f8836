import { createHistory } from '../../../src/monitor/history';
import type { ProbeReport } from '../../../src/probe/report';
import { makeTarget } from '../../helpers/targets';

const ok = (seconds = 0.0005): ProbeReport => ({ result: { ok: true, seconds } });
const refused: ProbeReport = {
  result: { ok: false, reason: 'refused', message: 'connect ECONNREFUSED 127.0.0.1:6379' },
};
const inconclusive: ProbeReport = {
  result: { ok: false, reason: 'inconclusive', message: 'stalled' },
  stalledMs: 200,
};

function setup() {
  let now = Date.UTC(2026, 10, 24, 12);
  const history = createHistory({ now: () => now });
  const main = makeTarget({ name: 'main' });
  history.listener.added?.(main);
  return { history, main, advance: (ms: number) => (now += ms), now: () => now };
}

describe('history', () => {
  test('a fixed window of 5-second slices: counts, the slowest round trip, empty slices', () => {
    const { history, main, advance } = setup();
    history.listener.probed?.(main, ok(0.001));
    history.listener.probed?.(main, ok(0.003));
    advance(5000);
    history.listener.probed?.(main, refused);
    history.listener.probed?.(main, inconclusive);
    const buckets = history.of('main');
    expect(buckets).toHaveLength(180);
    expect(buckets.at(-2)).toMatchObject({ ok: 2, failed: 0, maxLatencyMs: 3 });
    expect(buckets.at(-1)).toMatchObject({ ok: 0, failed: 1, inconclusive: 1, maxLatencyMs: null });
    expect(buckets.slice(0, -2).every((bucket) => bucket.ok + bucket.failed === 0)).toBe(true);
  });

  test('slices older than the window are forgotten: memory stays fixed however long it runs', () => {
    const { history, main, advance } = setup();
    history.listener.probed?.(main, refused);
    advance(15 * 60_000);
    history.listener.probed?.(main, ok());
    const buckets = history.of('main');
    expect(buckets.reduce((sum, bucket) => sum + bucket.failed, 0)).toBe(0);
    expect(buckets.at(-1)?.ok).toBe(1);
  });

  test('slices skipped between probes read empty; a slice written again keeps its counts', () => {
    const { history, main, advance } = setup();
    history.listener.probed?.(main, refused);
    advance(3 * 5000);
    history.listener.probed?.(main, ok());
    advance(-3 * 5000);
    history.listener.probed?.(main, refused);
    advance(3 * 5000);
    expect(
      history
        .of('main')
        .slice(-4)
        .map(({ ok, failed }) => [ok, failed]),
    ).toEqual([
      [0, 2],
      [0, 0],
      [0, 0],
      [1, 0],
    ]);
  });

  test('a probe from before the window (the clock went back) is not counted, nor anything lost', () => {
    const { history, main, advance } = setup();
    history.listener.probed?.(main, ok());
    advance(-20 * 60_000);
    history.listener.probed?.(main, refused);
    advance(20 * 60_000);
    const buckets = history.of('main');
    expect(buckets.reduce((sum, bucket) => sum + bucket.failed, 0)).toBe(0);
    expect(buckets.at(-1)?.ok).toBe(1);
    expect(history.events().map(({ kind }) => kind)).toEqual(['down']);
  });

  test('events: down and up once per change, breaker moves with their reason, reloads, stalls', () => {
    const { history, main, advance } = setup();
    history.listener.probed?.(main, ok());
    history.listener.probed?.(main, refused);
    history.listener.probed?.(main, refused);
    history.listener.transitioned?.(main, { from: 'closed', to: 'open' }, 'refused');
    advance(1000);
    history.listener.probed?.(main, ok());
    history.reloaded('refused');
    history.listener.probed?.(main, inconclusive);
    history.listener.probed?.(main, inconclusive);
    expect(history.events().map(({ kind, text, reason }) => ({ kind, text, reason }))).toEqual([
      {
        kind: 'stall',
        text: 'the sidecar itself was stalled 200 ms: probes retried',
        reason: undefined,
      },
      { kind: 'reload', text: 'config reload failed: kept the running config', reason: undefined },
      { kind: 'up', text: 'answers again', reason: undefined },
      { kind: 'opened', text: 'breaker closed → open', reason: 'refused' },
      { kind: 'down', text: 'connect ECONNREFUSED 127.0.0.1:6379', reason: 'refused' },
    ]);
  });

  test('a removed target has no history left', () => {
    const { history, main } = setup();
    history.listener.probed?.(main, ok());
    history.listener.removed?.(main);
    expect(history.of('main').every((bucket) => bucket.ok === 0)).toBe(true);
  });
});
