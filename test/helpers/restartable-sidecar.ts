import { freePort } from './free-port';
import type { RedisServer } from './redis-server';
import { runSidecar, writeConfig, type SidecarProcess } from './sidecar-process';

/** A sidecar process on a fixed port, to stop, kill and start again: what /watch clients follow. */
export interface RestartableSidecar {
  /** http://127.0.0.1:PORT, the same across restarts. */
  url: string;
  /** The process running now. */
  process(): SidecarProcess;
  /** Starts it (again) and waits until it serves. */
  start(): Promise<void>;
}

/**
 * One target `main` on `redis`, fast enough for tests: probed every 200 ms, breaker open after
 * two failures and tried again after 300 ms, heartbeats every 300 ms. stopAllSidecars() ends it.
 */
export async function restartableSidecar(redis: RedisServer): Promise<RestartableSidecar> {
  const port = await freePort();
  const file = writeConfig(`
http: { watch: { heartbeat: 300ms } }
defaults:
  interval: 200ms
  timeout: 150ms
  breaker: { failureThreshold: 2, recoveryTimeout: 300ms, successThreshold: 1 }
targets:
  - name: main
    url: ${redis.url}
`);
  let current: SidecarProcess | undefined;
  const sidecar: RestartableSidecar = {
    url: `http://127.0.0.1:${port}`,
    process() {
      if (current === undefined) throw new Error('the sidecar was not started');
      return current;
    },
    async start() {
      current = runSidecar(['--config', file, '--listen', `127.0.0.1:${port}`]);
      await current.ready();
    },
  };
  await sidecar.start();
  return sidecar;
}
