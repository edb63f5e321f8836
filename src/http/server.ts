import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { HttpSettings, Listen } from '../config/types';

/**
 * Timeouts that keep slow or half-sent requests from holding sockets open: a kubelet or
 * Prometheus sends a whole request at once and reads a small answer.
 */
const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  keepAliveTimeout: 5_000,
};
/** How often Node looks for requests past those timeouts (its default is every 30 s). */
const SERVER_OPTIONS = { connectionsCheckingInterval: 1000 };

/** How often the TLS files are checked for a change (a rotated Kubernetes Secret). */
const TLS_WATCH_MS = 2000;

export interface HttpServer {
  /** The bound address, with the real port when the config asked for port 0. */
  readonly address: AddressInfo;
  readonly tls: boolean;
  close(): Promise<void>;
}

/** Serves `app` over HTTP, or HTTPS when `tls` is set; the certificate is reloaded when its files change. */
export async function startServer(
  app: Koa,
  listen: Listen,
  tls?: HttpSettings['tls'],
  logger?: Logger,
): Promise<HttpServer> {
  const readTls = (files: NonNullable<typeof tls>) => ({
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
  });
  const callback = app.callback();
  // Koa's handler resolves once the response is written and never rejects (errors become 500s).
  const handler = (request: IncomingMessage, response: ServerResponse) =>
    void callback(request, response);
  const server: Server | TlsServer =
    tls === undefined
      ? createServer(SERVER_OPTIONS, handler)
      : createTlsServer({ ...SERVER_OPTIONS, ...readTls(tls) }, handler);
  Object.assign(server, SERVER_TIMEOUTS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const files = tls === undefined ? [] : [tls.cert, tls.key];
  const reloadTls = () => {
    if (tls === undefined || !('setSecureContext' in server)) return;
    try {
      server.setSecureContext(readTls(tls));
      logger?.info('HTTP TLS certificate reloaded');
    } catch (error) {
      // A half-written pair (cert updated, key not yet): keep serving the old one.
      logger?.warn({ err: error }, 'cannot reload the HTTP TLS certificate; keeping the old one');
    }
  };
  for (const file of files)
    watchFile(file, { interval: TLS_WATCH_MS, persistent: false }, reloadTls);
  return {
    address: server.address() as AddressInfo,
    tls: tls !== undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const file of files) unwatchFile(file, reloadTls);
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
