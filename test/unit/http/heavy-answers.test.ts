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

test('answers sent at once share one budget per event-loop turn, and each gets its turns', async () => {
  // Sixteen answers of 1 MiB in 16 KiB pieces, read as fast as they come (as a local socket
  // takes them): a callback queued between turns runs after at most 64 KiB of all of them,
  // and they finish close together, none starved by the others.
  const piece = 'x'.repeat(16 * 1024);
  const made: number[] = [];
  let madeTotal = 0;
  const finished: number[] = [];
  const readAll = async (index: number) => {
    for await (const chunk of streamInPieces(Array.from({ length: 64 }, () => piece))) {
      madeTotal += String(chunk).length;
    }
    finished.push(index);
    return madeTotal;
  };
  let turning = true;
  const sampler = (async () => {
    let last = 0;
    while (turning) {
      await new Promise((resolve) => setImmediate(resolve));
      made.push(madeTotal - last);
      last = madeTotal;
    }
  })();
  const totals = await Promise.all(Array.from({ length: 16 }, (_, i) => readAll(i)));
  turning = false;
  await sampler;
  expect(Math.max(...totals)).toBe(16 * 1024 * 1024);
  // One slice is the budget plus the piece that crossed it.
  expect(Math.max(...made)).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
  // Taking turns in arrival order: the first answer done is well past the middle of the run.
  const firstDoneAt = totals.reduce((low, total) => Math.min(low, total));
  expect(firstDoneAt).toBeGreaterThan(8 * 1024 * 1024);
});
