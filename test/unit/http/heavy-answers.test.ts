import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { limitHeavyAnswers } from '../../../src/http/heavy-answers';
import { jsonTexts, streamInPieces } from '../../../src/http/pieces';
import { startServer, type HttpServer } from '../../../src/http/server';
import { httpGet } from '../../helpers/http';
import { waitFor } from '../../helpers/wait';

let server: HttpServer;
let base: string;

beforeAll(async () => {
  const app = new Koa();
  app.on('error', () => undefined);
  app.use(limitHeavyAnswers({ concurrency: 2, sendTimeoutMs: 1000 }));
  app.use((ctx) => {
    // An answer larger than any socket buffer, made only as fast as it is read.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = 1024;
    ctx.body = new Readable({
      read() {
        this.push(left-- > 0 ? chunk : null);
      },
    });
  });
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.address.port}`;
});

afterAll(() => server.close());

/**
 * A client that sends a request and then reads nothing until `resume()`; `closed` says whether the
 * server hung up, `bytes` what arrived (a paused socket notices neither until it reads again).
 */
function nonReader() {
  const socket: Socket = connect(server.address.port, '127.0.0.1');
  const state = {
    closed: false,
    status: '',
    bytes: 0,
    resume: () => void socket.resume(),
    destroy: () => void socket.destroy(),
  };
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  socket.on('data', (chunk: Buffer) => {
    if (state.bytes === 0) {
      state.status = chunk.toString('latin1', 9, 12);
      socket.pause();
    }
    state.bytes += chunk.length;
  });
  socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  return state;
}

test('answers beyond the slots wait; beyond what may wait, 503; unread answers are dropped at the send timeout', async () => {
  const readers = [nonReader(), nonReader()];
  await waitFor('both answers started', () => readers.every((reader) => reader.status === '200'));
  // A reader that reads waits for a slot: it gets one when a non-reader, stalled since its
  // socket's buffers filled, is dropped one to two send timeouts later.
  const started = performance.now();
  const queued = httpGet(base);
  // Two slots, so eight may wait: the reader above and seven more non-readers.
  const waiters = Array.from({ length: 7 }, nonReader);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const refused = await httpGet(base);
  expect([refused.status, refused.headers['retry-after'], refused.body]).toEqual([
    503,
    '1',
    'too many heavy answers being sent at once\n',
  ]);
  const whole = await queued;
  expect([whole.status, whole.body.length]).toEqual([200, 64 * 2 ** 20]);
  expect(performance.now() - started).toBeGreaterThan(800);
  // The non-readers took a few socket buffers' worth each, not the 64 MiB answer.
  for (const reader of readers) reader.resume();
  await waitFor('the unread answers dropped', () => readers.every((reader) => reader.closed));
  for (const reader of readers) expect(reader.bytes).toBeLessThan(32 * 2 ** 20);
  for (const waiter of waiters) waiter.destroy();
});

test('jsonTexts in pieces writes the same JSON as JSON.stringify', async () => {
  const items = Array.from({ length: 3000 }, (_, i) => ({ i, text: 'é"\\'.repeat(i % 7) }));
  const cases: Array<[Record<string, unknown>, Record<string, unknown[]>]> = [
    [
      { a: 1, b: 'two' },
      { items, more: [], last: [null] },
    ],
    [{}, { items }],
    [{ only: true }, {}],
    [{}, {}],
  ];
  for (const [head, lists] of cases) {
    let text = '';
    for await (const piece of streamInPieces(jsonTexts(head, lists))) text += String(piece);
    expect(text).toBe(JSON.stringify({ ...head, ...lists }));
  }
});
