import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Listen } from '../config/types';

/**
 * Timeouts that keep slow or half-sent requests from holding sockets open: a kubelet or
 * Prometheus sends a whole request at once and reads a small answer.
 */
const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  keepAliveTimeout: 5_000,
};

export interface HttpServer {
  /** The bound address, with the real port when the config asked for port 0. */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function startServer(app: Koa, listen: Listen): Promise<HttpServer> {
  const server: Server = createServer(app.callback());
  Object.assign(server, SERVER_TIMEOUTS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
