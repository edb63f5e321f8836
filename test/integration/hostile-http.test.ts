// Requests no kubelet or Prometheus would send: huge, half-sent, malformed, random, many at
// once. Every one gets a short 4xx (or the normal answer), never a 5xx, a hang or a crash.
import { connect } from 'node:net';
import fc from 'fast-check';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

let base: string;
let port: number;

beforeAll(async () => {
  const redis = await startRedis();
  const started = await startTestSidecar(`
listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms }
targets:
  - { name: main, url: '${redis.url}' }
`);
  base = started.base;
  port = started.server.address.port;
  await waitFor('ready', async () => (await httpGet(`${base}/readyz`)).status === 200);
});

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

/** Sends raw bytes on a fresh connection; resolves with what came back when the server closes. */
function raw(bytes: string, { holdMs = 5000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${holdMs} ms; got ${JSON.stringify(reply.slice(0, 80))}`));
    }, holdMs);
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}
const statusOf = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
const request = (line: string, headers = '') =>
  raw(`${line}\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);

test('a 64 KiB URL → 431, a 32 KiB header → 431', async () => {
  expect(statusOf(await request(`GET /readyz?${'x'.repeat(65536)} HTTP/1.1`))).toBe(431);
  expect(statusOf(await request('GET /readyz HTTP/1.1', `X-Big: ${'y'.repeat(32768)}\r\n`))).toBe(
    431,
  );
});

test('unknown and unsupported methods → 400 or 405 with Allow', async () => {
  expect(statusOf(await request('BREW /metrics HTTP/1.1'))).toBe(400);
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
    const reply = await request(`${method} /metrics HTTP/1.1`, 'Content-Length: 0\r\n');
    expect([method, statusOf(reply)]).toEqual([method, 405]);
    expect(reply).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
  }
});

test('path traversal and odd paths → 404 with a short reason, no file', async () => {
  for (const path of [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/readyz/..%2f..%2fetc%2fpasswd',
    '/livez/%00',
    '/readyz/%E0%A4%A',
    '//metrics/../../../',
    '/status/../../etc/shadow',
  ]) {
    const reply = await request(`GET ${path} HTTP/1.1`);
    expect([path, statusOf(reply)]).toEqual([path, expect.any(Number)]);
    expect(statusOf(reply)).toBeGreaterThanOrEqual(400);
    expect(statusOf(reply)).toBeLessThan(500);
    expect(reply).not.toContain('root:');
    expect(reply.length).toBeLessThan(1024);
  }
});

test('garbage instead of HTTP → 400 and the socket closed', async () => {
  expect(statusOf(await raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n'))).toBe(
    400,
  );
  expect(statusOf(await raw('GET /readyz HTTP/9.9\r\n\r\n'))).toBeGreaterThanOrEqual(400);
});

test('200 half-sent requests held open: the sidecar keeps answering and drops them after headersTimeout', async () => {
  let answers = '';
  const sockets = Array.from({ length: 200 }, () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => (answers += chunk.toString()));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: '); // never finished
    return socket;
  });
  const closed = sockets.map(
    (socket) =>
      new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now()))),
  );
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 10; i += 1) {
    const reply = await httpGet(`${base}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.ms).toBeLessThan(500);
  }
  // headersTimeout is 10 s, checked every second.
  const times = await Promise.all(closed);
  const latest = Math.max(...times) - started;
  console.log(
    `200 half-sent requests dropped by the server after at most ${Math.round(latest)} ms`,
  );
  expect(latest).toBeLessThan(12_500);
  expect(answers.split('HTTP/1.1 408 Request Timeout').length - 1).toBe(200);
}, 20_000);

test('a burst of 500 concurrent requests is answered in full', async () => {
  const paths = ['/metrics', '/readyz', '/healthz', '/status', '/readyz/main', '/'];
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 500 }, (_, i) => httpGet(`${base}${paths[i % paths.length]}`)),
  );
  const ms = performance.now() - started;
  console.log(`500 concurrent requests answered in ${Math.round(ms)} ms`);
  expect(replies.filter((reply) => reply.status !== 200)).toEqual([]);
});

describe('fuzzing (fast-check)', () => {
  const ok = (status: number, body: string) =>
    status > 0 && status < 500 && body.length < 256 * 1024 && !/\n\s+at /.test(body);

  test('random query strings on every route → an answer below 500, without a stack trace', async () => {
    const routes = ['/readyz', '/readyz/main', '/livez/main', '/probe', '/status', '/metrics', '/'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })), {
          maxLength: 6,
        }),
        async (route, pairs) => {
          const query = pairs
            .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
            .join('&');
          const reply = await httpGet(`${base}${route}?${query}`);
          return ok(reply.status, reply.body);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  test('raw, undecodable paths and query bytes → below 500', async () => {
    const byte = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
    const escape = fc
      .integer({ min: 0, max: 255 })
      .map((code) => `%${code.toString(16).padStart(2, '0')}`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(byte, escape, fc.constant('%')), { maxLength: 40 }),
        async (parts) => {
          const target = `/readyz/${parts.join('').replace(/[#?]/g, '')}?verbose&exclude=${parts.join('')}`;
          const reply = await request(`GET ${target.replace(/ /g, '')} HTTP/1.1`);
          const status = statusOf(reply);
          return status >= 200 && status < 500;
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  test('random header values (Accept, auth, scrape timeout) → below 500', async () => {
    const value = fc
      .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 60 })
      .map((codes) => String.fromCharCode(...codes).trim());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/metrics',
          '/readyz?verbose',
          '/readyz/main',
          '/probe?target=main',
          '/status',
        ),
        fc.record({
          Accept: value,
          Authorization: value,
          'X-Prometheus-Scrape-Timeout-Seconds': value,
        }),
        async (route, headers) => {
          const reply = await httpGet(`${base}${route}`, { headers });
          return ok(reply.status, reply.body);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
