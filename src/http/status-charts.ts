import type { HistoryBucket } from '../monitor/history';

const WIDTH = 360;
const STRIP_HEIGHT = 14;
const SPARK_HEIGHT = 28;

/** What one slice looked like: up, down, both (flapping), or only inconclusive probes. */
function stateOf(bucket: HistoryBucket): 'down' | 'mixed' | 'up' | 'stalled' | 'none' {
  if (bucket.failed > 0) return bucket.ok > 0 ? 'mixed' : 'down';
  if (bucket.ok > 0) return 'up';
  if (bucket.inconclusive > 0) return 'stalled';
  return 'none';
}

/**
 * The up/down strip: one bar per slice, oldest on the left. Server-rendered SVG with a text
 * alternative, so the page needs no script and a screen reader hears the summary.
 */
export function renderStrip(buckets: readonly HistoryBucket[], label: string): string {
  const width = WIDTH / Math.max(1, buckets.length);
  const bars = buckets
    .map((bucket, index) => {
      const state = stateOf(bucket);
      if (state === 'none') return '';
      const x = (index * width).toFixed(2);
      return `<rect class="${state}" x="${x}" y="0" width="${(width + 0.05).toFixed(2)}" height="${STRIP_HEIGHT}"/>`;
    })
    .join('');
  return `<svg class="strip" viewBox="0 0 ${WIDTH} ${STRIP_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}"><title>${label}</title><rect class="track" x="0" y="0" width="${WIDTH}" height="${STRIP_HEIGHT}"/>${bars}</svg>`;
}

/** The latency sparkline: the slowest round trip per slice, scaled to the window's slowest. */
export function renderSparkline(buckets: readonly HistoryBucket[], label: string): string {
  const values = buckets.map((bucket) => bucket.maxLatencyMs);
  const highest = Math.max(0, ...values.map((value) => value ?? 0));
  const step = WIDTH / Math.max(1, buckets.length - 1);
  const runs: string[] = [];
  let run: string[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (run.length > 0) runs.push(run.join(' '));
      run = [];
      return;
    }
    const y =
      highest === 0 ? SPARK_HEIGHT - 1 : SPARK_HEIGHT - 1 - (value / highest) * (SPARK_HEIGHT - 2);
    run.push(`${(index * step).toFixed(1)},${y.toFixed(1)}`);
  });
  if (run.length > 0) runs.push(run.join(' '));
  const lines = runs
    .map((points) =>
      points.includes(' ')
        ? `<polyline points="${points}"/>`
        : `<circle cx="${points.split(',')[0]}" cy="${points.split(',')[1]}" r="1.2"/>`,
    )
    .join('');
  return `<svg class="spark" viewBox="0 0 ${WIDTH} ${SPARK_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}"><title>${label}</title>${lines}</svg>`;
}

/** In words, for the charts' text alternatives: `14 min: up 12, down 2 (slices of 5 s)`. */
export function describeStrip(buckets: readonly HistoryBucket[], bucketMs: number): string {
  const counted = { up: 0, down: 0, mixed: 0, stalled: 0 };
  for (const bucket of buckets) {
    const state = stateOf(bucket);
    if (state !== 'none') counted[state] += 1;
  }
  const minutes = Math.round((buckets.length * bucketMs) / 60_000);
  const parts = [`up in ${counted.up}`, `down in ${counted.down}`];
  if (counted.mixed > 0) parts.push(`both in ${counted.mixed}`);
  if (counted.stalled > 0) parts.push(`inconclusive in ${counted.stalled}`);
  return `last ${minutes} minutes in ${bucketMs / 1000}-second slices: ${parts.join(', ')}`;
}

/** The slowest round trip of the window in words, for the sparkline's text alternative. */
export function describeLatency(buckets: readonly HistoryBucket[]): string {
  const values = buckets.flatMap((bucket) =>
    bucket.maxLatencyMs === null ? [] : [bucket.maxLatencyMs],
  );
  if (values.length === 0) return 'no round trips measured in the window';
  const latest = values.at(-1) ?? 0;
  return `round trip latest ${latest} ms, slowest ${Math.max(...values)} ms in the window`;
}
