import { createServer, type Socket } from 'node:net';

/** What a hostile peer answers to whatever it is sent. */
export type Hostility =
  | { kind: 'reply'; bytes: string } // one fixed reply per chunk received
  | { kind: 'stream'; head: string; body: string }; // `head`, then `body` over and over

export interface HostilePeer {
  port: number;
  /** Bytes it has written, all connections together. */
  written(): number;
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
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let streaming = false;
    socket.on('data', () => {
      if (hostility.kind === 'reply') {
        socket.write(hostility.bytes);
        written += hostility.bytes.length;
        return;
      }
      if (streaming) return;
      streaming = true;
      const until = Date.now() + STREAM_FOR_MS;
      const chunk = Buffer.from(hostility.body.repeat(Math.ceil(65_536 / hostility.body.length)));
      socket.write(hostility.head);
      const pump = () => {
        while (!socket.destroyed && Date.now() < until) {
          written += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const peer: HostilePeer = {
    port: address.port,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  peers.add(peer);
  return peer;
}

/** Closes every peer this test file started; call from afterAll. */
export async function stopHostilePeers(): Promise<void> {
  await Promise.all([...peers].map((peer) => peer.close()));
  peers.clear();
}
