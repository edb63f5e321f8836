import { createServer, type Socket } from 'node:net';

/** A reply: fixed bytes, or `head` then `body` over and over while the reader takes it. */
export type HostileAnswer = string | { head: string; body: string };

/** How a hostile peer answers what it is sent. */
export type Hostility =
  | { kind: 'reply'; bytes: string; close?: boolean } // these bytes per chunk received (then close)
  | { kind: 'stream'; head: string; body: string } // `head`, then `body` over and over
  | { kind: 'silent' } // accepts and reads, never answers: a hung server, a stalled TLS handshake
  | { kind: 'redis'; answers: Record<string, HostileAnswer> }; // per command; others get +PONG or +OK

export interface HostilePeer {
  port: number;
  /** Bytes it has written, all connections together. */
  written(): number;
  /** Connections open now. */
  open(): number;
  close(): Promise<void>;
}

const peers = new Set<HostilePeer>();
const STREAM_FOR_MS = 30_000;

/**
 * A TCP server on 127.0.0.1 that answers like a broken or malicious Redis. A stream goes on
 * while the reader takes it (respecting backpressure) and stops by itself after 30 s.
 */
export async function startHostilePeer(hostility: Hostility): Promise<HostilePeer> {
  let written = 0;
  const sockets = new Set<Socket>();
  const send = (socket: Socket, answer: HostileAnswer) => {
    if (typeof answer === 'string') {
      socket.write(answer);
      written += answer.length;
      return;
    }
    const until = Date.now() + STREAM_FOR_MS;
    const chunk = Buffer.from(answer.body.repeat(Math.ceil(65_536 / answer.body.length)));
    socket.write(answer.head);
    const pump = () => {
      while (!socket.destroyed && Date.now() < until) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (hostility.kind === 'silent') return socket.resume();
    if (hostility.kind === 'redis') return answerCommands(socket, hostility.answers, send);
    let streaming = false;
    socket.on('data', () => {
      if (hostility.kind === 'reply') {
        send(socket, hostility.bytes);
        if (hostility.close === true) socket.end();
      } else if (!streaming) {
        streaming = true;
        send(socket, hostility);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const peer: HostilePeer = {
    port: address.port,
    written: () => written,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  peers.add(peer);
  return peer;
}

/** Reads RESP commands (`*N` then N bulk strings) and answers each by its name. */
function answerCommands(
  socket: Socket,
  answers: Record<string, HostileAnswer>,
  send: (socket: Socket, answer: HostileAnswer) => void,
) {
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    for (;;) {
      const command = /^\*(\d+)\r\n((?:\$\d+\r\n[^]*?\r\n)*)/.exec(pending);
      const words = command?.[2]?.match(/\$\d+\r\n([^]*?)\r\n/g) ?? [];
      if (command === null || words.length < Number(command[1])) return;
      const name = (/\r\n([^\r]*)\r\n/.exec(words[0] ?? '')?.[1] ?? '').toUpperCase();
      pending = pending.slice(command[0].length);
      send(socket, answers[name] ?? (name === 'PING' ? '+PONG\r\n' : '+OK\r\n'));
    }
  });
}

/** Closes every peer this test file started; call from afterAll. */
export async function stopHostilePeers(): Promise<void> {
  await Promise.all([...peers].map((peer) => peer.close()));
  peers.clear();
}
