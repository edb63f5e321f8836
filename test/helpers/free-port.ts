import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

/**
 * A port for a cluster node: Redis listens for its cluster bus 10,000 ports higher, so the port
 * must be at most 55535 and both it and its bus port free. Linux hands out ephemeral ports from
 * 32768 to 60999, where one port in five is too high, so this draws from 20000-22767 instead:
 * the bus ports 30000-32767 then stay below the ephemeral range too, out of the way of outgoing
 * connections.
 */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20000 + Math.floor(Math.random() * 2768);
    if ((await isFree(port)) && (await isFree(port + 10000))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) in 20000-22767 after 50 tries');
}

async function isFree(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}
