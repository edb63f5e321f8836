import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How the proxy treats traffic:
 * - pass: bytes flow both ways;
 * - latency: replies are held back `latencyMs` before they reach the client;
 * - blackhole: connections open (and new ones are accepted) but nothing comes back;
 * - reset: the next reply is cut in half and the connection reset (RST); new connections too;
 * - refuse: nothing listens; connecting fails with ECONNREFUSED.
 */
export type Fault = 'pass' | 'latency' | 'blackhole' | 'reset' | 'refuse';

export interface FaultProxy {
  readonly port: number;
  /** redis://127.0.0.1:PORT/db through the proxy. */
  url(db?: number): string;
  set(fault: Fault, options?: { latencyMs?: number }): Promise<void>;
  /** Client connections accepted since the proxy started (reconnect attempts show here). */
  accepted(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/** A TCP proxy on 127.0.0.1 in front of `upstream`, for injecting network faults in tests. */
export async function startFaultProxy(upstream: {
  host: string;
  port: number;
}): Promise<FaultProxy> {
  let fault: Fault = 'pass';
  let latencyMs = 0;
  let accepted = 0;
  const pairs = new Set<Pair>();

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    const up = connect(upstream.port, upstream.host);
    up.on('error', () => client.destroy());
    const pair = { client, upstream: up };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      up.destroy();
    };
    client.on('close', drop);
    up.on('close', drop);
    client.on('data', (chunk) => {
      if (fault !== 'blackhole') up.write(chunk);
    });
    up.on('data', (chunk) => {
      if (fault === 'blackhole') return;
      if (fault === 'reset') {
        client.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () =>
          client.resetAndDestroy(),
        );
        return;
      }
      if (fault === 'latency') setTimeout(() => client.write(chunk), latencyMs);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    accepted: () => accepted,
    async set(next, options = {}) {
      latencyMs = options.latencyMs ?? latencyMs;
      if (next === 'refuse' && server.listening) {
        for (const pair of pairs) pair.client.resetAndDestroy();
        await stopListening();
      }
      if (next !== 'refuse' && !server.listening) await listen();
      fault = next;
    },
    async close() {
      for (const pair of pairs) pair.client.destroy();
      if (server.listening) await stopListening();
    },
  };
}
