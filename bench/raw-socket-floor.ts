// The floor under the sidecar's CPU per probe: N raw TCP sockets to one Redis, each sending
// PING every second (one interval for all), counting the +PONG replies. No client library, no
// parser beyond counting. Prints `{"ok":N,"failed":M}` after each round, as ioredis-floor does.
//   node .bench-build/bench/raw-socket-floor.js PORT COUNT
import { connect, type Socket } from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const PONG = '+PONG\r\n';

let replies = 0;
const sockets: Socket[] = Array.from({ length: count }, () => {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => (replies += data.length / PONG.length));
  socket.on('error', () => undefined);
  return socket;
});

let sent = 0;
setInterval(() => {
  process.stdout.write(`${JSON.stringify({ ok: replies, failed: sent - replies })}\n`);
  replies = 0;
  sent = 0;
  for (const socket of sockets) {
    if (socket.readyState !== 'open') continue;
    socket.write('PING\r\n');
    sent += 1;
  }
}, 1000);
