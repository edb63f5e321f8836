import type { Logger } from 'pino';
import { parseConfig } from '../../src/config/load';
import type { HttpServer } from '../../src/http/server';
import { createSidecar, type Sidecar } from '../../src/sidecar';
import { createLogSink } from './log-sink';

export interface TestSidecar {
  sidecar: Sidecar;
  server: HttpServer;
  /** http://127.0.0.1:PORT */
  base: string;
}

const running = new Set<Sidecar>();

/**
 * Runs a sidecar in this process on a config given as YAML text (use `listen: 127.0.0.1:0`),
 * logging to `logger` (by default a sink at warn). stopTestSidecars() stops it.
 */
export async function startTestSidecar(
  yaml: string,
  logger: Logger = createLogSink('warn').logger,
): Promise<TestSidecar> {
  const sidecar = createSidecar(parseConfig(yaml, {}), logger);
  running.add(sidecar);
  const server = await sidecar.start();
  return { sidecar, server, base: `http://127.0.0.1:${server.address.port}` };
}

/** Stops every sidecar this test file started; call from afterAll. */
export async function stopTestSidecars(): Promise<void> {
  await Promise.all([...running].map((sidecar) => sidecar.stop()));
  running.clear();
}
