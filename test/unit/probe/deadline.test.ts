import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { runCommand, type ProbeConnection } from '../../../src/probe/run-probe';

/** A server in another process that answers every line with +PONG, so it answers while we are busy. */
const SERVER = `
const server = require('node:net').createServer((socket) =>
  socket.on('data', () => socket.write('+PONG\\r\\n')));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

let server: ChildProcess;
let port: number;

beforeAll(async () => {
  server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  port = Number(chunk.toString().trim());
});
afterAll(() => server.kill());

/** Blocks this process as a CPU quota or a busy neighbour would. */
function busy(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A plain socket connection; `send` writes PING and then keeps the process busy for `busyMs`. */
function pongConnection(busyMs: number) {
  let socket: Socket | undefined;
  let dropped = 0;
  const connection: ProbeConnection = {
    async connect() {
      if (socket !== undefined) return;
      socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
    },
    send() {
      const reply = once(socket!, 'data').then(([data]) => String(data).trim().slice(1));
      socket!.write('PING\r\n');
      busy(busyMs);
      return reply;
    },
    drop() {
      dropped += 1;
      socket?.destroy();
      socket = undefined;
    },
    lastError: () => undefined,
  };
  return { connection, dropped: () => dropped, close: () => socket?.destroy() };
}

test('a reply that reached the socket before the deadline was looked at still counts', async () => {
  const { connection, close } = pongConnection(150);
  await connection.connect();
  // The deadline (50 ms) passes while the process is busy; the PONG is already waiting.
  const result = await runCommand(connection, ['PING'], 50);
  close();
  expect(result).toMatchObject({ ok: true, reply: 'PONG' });
});

test('no reply while the sidecar was stalled: inconclusive, and the connection is kept', async () => {
  const { connection, dropped } = pongConnection(0);
  const silent: ProbeConnection = { ...connection, send: () => new Promise(() => undefined) };
  const stalledAll = (from: number, to: number) => to - from;
  const result = await runCommand(silent, ['PING'], 30, stalledAll);
  expect(result).toMatchObject({
    ok: false,
    reason: 'inconclusive',
    message: expect.stringMatching(
      /^no reply within 30ms while the sidecar itself was stalled \d+ms$/,
    ),
  });
  expect(dropped()).toBe(0);
  connection.drop();
});

test('no reply while the sidecar ran freely: a timeout, and the connection is dropped', async () => {
  const { connection, dropped } = pongConnection(0);
  const silent: ProbeConnection = { ...connection, send: () => new Promise(() => undefined) };
  const result = await runCommand(silent, ['PING'], 30, () => 2);
  expect(result).toEqual({ ok: false, reason: 'timeout', message: 'no reply within 30ms' });
  expect(dropped()).toBe(1);
});
