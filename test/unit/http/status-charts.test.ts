import type { HistoryBucket } from '../../../src/monitor/history';
import { describeStrip, renderStrip } from '../../../src/http/status-charts';

const slice = (ok: number, failed: number, inconclusive = 0): HistoryBucket => ({
  at: 0,
  ok,
  failed,
  inconclusive,
  maxLatencyMs: ok > 0 ? 0.5 : null,
});

test('each slice shows what happened in it: up, down, both, only inconclusive, nothing', () => {
  const buckets = [slice(0, 0), slice(3, 0), slice(0, 2), slice(2, 1), slice(0, 0, 4)];
  const svg = renderStrip(buckets, 'x');
  expect([...svg.matchAll(/<rect class="(\w+)"/g)].map((match) => match[1])).toEqual([
    'track',
    'up',
    'down',
    'mixed',
    'stalled',
  ]);
  expect(describeStrip(buckets, 5000)).toBe(
    'last 0 minutes in 5-second slices: up in 1, down in 1, both in 1, inconclusive in 1',
  );
});
