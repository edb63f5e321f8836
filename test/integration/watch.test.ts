import { connect } from 'node:net';
import { parseConfig } from '../../src/config/load';
import type { WatchState } from '../../src/monitor/watch-feed';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { closeSseReaders, openSse, type SseEvent } from '../helpers/sse-reader';
import { startTestSidecar, stopTestSidecars, type TestSidecar } from '../helpers/test-sidecar';

const TOKEN = 'watch-test-token-0123456789';

function config(redis: RedisServer, extra = '') {
  return `
listen: 127.0.0.1:0
http:
  watch: { heartbeat: 300ms, maxStreams: 3 }
  auth: { bearerToken: ${TOKEN} }
defaults:
  interval: 200ms
  timeout: 150ms
  breaker: { failureThreshold: 2, recoveryTimeout: 400ms, successThreshold: 1 }
targets:
  - name: main
    url: ${redis.url}
  - name: other
    url: ${redis.url.replace(/\/0$/, '/1')}
    required: false
${extra}`;
}

const auth = { Authorization: `Bearer ${TOKEN}` };
const isState = (target: string, match: Partial<WatchState>) => (event: SseEvent) => {
  if (event.event !== 'state') return false;
  const state = JSON.parse(event.data) as WatchState;
  return (
    state.target === target &&
    Object.entries(match).every(([k, v]) => state[k as keyof WatchState] === v)
  );
};
const synced = (event: SseEvent) => event.event === 'synced';

let redis: RedisServer;
let side: TestSidecar;

beforeAll(async () => {
  redis = await startRedis();
});
beforeEach(async () => {
  side = await startTestSidecar(config(redis));
});
afterEach(async () => {
  closeSseReaders();
  await stopTestSidecars();
});
afterAll(() => stopAllRedis());

describe('GET /watch', () => {
  test('a snapshot of every target, then the synced marker, as Server-Sent Events', async () => {
    const stream = await openSse(`${side.base}/watch`, auth);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.next(synced);
    expect(stream.raw().startsWith('retry: 2000\n\n')).toBe(true);
    const snapshot = stream.data<WatchState>('state');
    expect(snapshot.map((state) => state.target).sort()).toEqual(['main', 'other']);
    const [marker] = stream.data<{ targets: number; resumed: boolean; heartbeatMs: number }>(
      'synced',
    );
    expect(marker).toEqual({ targets: 2, resumed: false, heartbeatMs: 300 });
    // Every event carries an id; ids never go down.
    const ids = stream.events.map((event) => Number(event.id));
    expect(ids.every((id, i) => Number.isSafeInteger(id) && (i === 0 || id >= ids[i - 1]!))).toBe(
      true,
    );
  });

  test('a Redis stopped, killed and back moves the breaker both ways, pushed at once', async () => {
    const stream = await openSse(`${side.base}/watch?target=main`, auth);
    await stream.next(isState('main', { up: true, breaker: 'closed', ready: true }));
    await redis.pause();
    const opened = await stream.next(isState('main', { breaker: 'open' }));
    expect(JSON.parse(opened.data)).toMatchObject({ up: false, ready: false, reason: 'timeout' });
    await redis.resume();
    await stream.next(
      isState('main', { breaker: 'closed', up: true }),
      10_000,
      stream.events.indexOf(opened),
    );
    const from = stream.events.length;
    await redis.kill();
    const killed = await stream.next(isState('main', { breaker: 'open' }), 10_000, from);
    expect(JSON.parse(killed.data)).toMatchObject({ up: false, reason: 'refused' });
    await redis.restart();
    await stream.next(isState('main', { breaker: 'closed', ready: true }), 10_000, from);
    // Narrowed to main: nothing of the other target.
    expect(stream.data<WatchState>('state').every((state) => state.target === 'main')).toBe(true);
  });

  test('a reader resuming with Last-Event-ID gets exactly what it missed: no duplicate, no gap', async () => {
    const steady = await openSse(`${side.base}/watch`, auth);
    const first = await openSse(`${side.base}/watch`, auth);
    const mark = await first.next(synced);
    first.close();
    await redis.kill();
    await steady.next(isState('main', { breaker: 'open' }));
    await redis.restart();
    await steady.next(isState('main', { breaker: 'closed', up: true }), 10_000, 3);
    const resumed = await openSse(`${side.base}/watch`, {
      ...auth,
      'Last-Event-ID': mark.id ?? '',
    });
    const end = await resumed.next(synced);
    expect(JSON.parse(end.data)).toMatchObject({ resumed: true, targets: 2 });
    const missed = resumed.events.filter((event) => event.event !== 'synced').map((e) => e.id);
    const seen = steady.events
      .filter((event) => event.event === 'state' && Number(event.id) > Number(mark.id))
      .map((event) => event.id);
    expect(missed.length).toBeGreaterThan(1);
    expect(missed).toEqual(seen.slice(0, missed.length));
    // Ids of a resumed stream are consecutive from where the reader left off.
    expect(missed.map(Number)).toEqual(missed.map((_, i) => Number(mark.id) + 1 + i));
  });

  test('an id it does not hold (another process, or too old) gets a fresh snapshot', async () => {
    const stream = await openSse(`${side.base}/watch`, { ...auth, 'Last-Event-ID': '12' });
    const end = await stream.next(synced);
    expect(JSON.parse(end.data)).toMatchObject({ resumed: false, targets: 2 });
    expect(stream.data('state')).toHaveLength(2);
  });

  test('heartbeats keep a quiet stream visibly alive', async () => {
    const stream = await openSse(`${side.base}/watch?target=main`, auth);
    await stream.next(synced);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(stream.raw().match(/^: heartbeat$/gm)?.length).toBeGreaterThanOrEqual(2);
  });

  test('beyond maxStreams: 503 with Retry-After; the same auth as /status; unknown target 404', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openSse(`${side.base}/watch`, auth)));
    expect(open.map((stream) => stream.status)).toEqual([200, 200, 200]);
    const refused = await httpGet(`${side.base}/watch`, { headers: auth });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    open[0]?.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await openSse(`${side.base}/watch`, auth)).status).toBe(200);
    expect((await httpGet(`${side.base}/watch`)).status).toBe(401);
    const unknown = await httpGet(`${side.base}/watch?target=nope`, { headers: auth });
    expect([unknown.status, unknown.body]).toEqual([404, 'unknown target: nope\n']);
  });

  test('a reload is events: a removed target, a new one', async () => {
    const stream = await openSse(`${side.base}/watch`, auth);
    await stream.next(synced);
    const next = config(redis, `  - name: added\n    url: ${redis.url}\n`).replace(
      / {2}- name: other\n.*\n.*\n/,
      '',
    );
    await side.sidecar.reload(parseConfig(next, {}));
    const removed = await stream.next((event) => event.event === 'removed');
    expect(JSON.parse(removed.data)).toEqual({ target: 'other' });
    await stream.next(isState('added', { up: true }));
  });

  test('a shutdown says so before the stream ends', async () => {
    const stream = await openSse(`${side.base}/watch`, auth);
    await stream.next(synced);
    await side.sidecar.stop();
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('shutdown');
  });

  test('a reader that never reads is cut off once what waits for it passes the bound', async () => {
    await stopTestSidecars();
    // Many targets on a closed port: each flaps open and half-open, a steady flood of events.
    const flapping = Array.from(
      { length: 150 },
      (_, i) => `  - { name: f${i}, url: "redis://127.0.0.1:1/0", required: false }`,
    ).join('\n');
    side = await startTestSidecar(
      `listen: 127.0.0.1:0
defaults:
  interval: 50ms
  timeout: 40ms
  breaker: { failureThreshold: 1, recoveryTimeout: 50ms, successThreshold: 1 }
targets:
${flapping}
`,
    );
    const reader = await openSse(`${side.base}/watch`);
    const silent = connect(side.server.address.port, '127.0.0.1');
    silent.on('error', () => undefined);
    silent.write('GET /watch HTTP/1.1\r\nHost: x\r\n\r\n');
    silent.pause();
    // About 1 MB of events a second: the kernel's buffers fill, then the sidecar's own bound
    // (slower on a loaded machine, so it is given 10 s).
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    let received = 0;
    const closed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
    silent.on('data', (chunk: Buffer) => (received += chunk.length));
    silent.resume();
    // Cut off: what it finally reads is what the buffers held, then the end (no endless stream).
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`not cut off: read ${received} bytes in 20 s`)), 20_000),
      ),
    ]);
    expect(received).toBeGreaterThan(64 * 1024);
    // The reading stream went on meanwhile, and goes on.
    const before = reader.events.length;
    await reader.next(() => true, 5000, before);
  }, 60_000);
});
