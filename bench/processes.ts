// The processes a benchmark runs: redis-server (through the test helper), the sidecar (the built CLI) and Debian's
// prometheus-redis-exporter, each on a free loopback port, each stopped by stopAll().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../test/helpers/free-port';
import {
  startRedis as startTestRedis,
  stopAllRedis,
  type RedisServer,
} from '../test/helpers/redis-server';
import { waitFor } from '../test/helpers/wait';

const children = new Set<ChildProcess>();
const clients = new Set<Redis>();
const dirs: string[] = [];
export { setTimeout as sleep } from 'node:timers/promises';

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Writes a config file into a directory stopAll() removes; returns its path. */
export function writeConfig(text: string): string {
  const file = join(tempDir('bench-config-'), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

/** Waits for `check` to hold, treating a throw (nothing listening yet) as not yet. */
const until = (what: string, check: () => Promise<boolean>) =>
  waitFor(what, () => check().catch(() => false), { timeoutMs: 30_000, everyMs: 50 });

/** A redis-server process started by the test helper, with a connection of the benchmark's own. */
export interface RedisProcess extends RedisServer {
  /** For INFO and CLIENT LIST. */
  admin: Redis;
}

export async function startRedis(args: string[] = []): Promise<RedisProcess> {
  const server = await startTestRedis({ args, processOnly: true });
  const admin = new Redis({
    port: server.port,
    maxRetriesPerRequest: 1,
    protocol: 2,
    disableClientInfo: true,
  });
  admin.on('error', () => undefined);
  clients.add(admin);
  return { ...server, admin };
}

export interface Sidecar {
  url: string;
  pid: number;
}

/**
 * The sidecar a benchmark runs: this build's, or another one's `dist/main.js` named by
 * BENCH_SIDECAR (to measure a change against the code before it on the same machine and run).
 */
export const sidecarMain =
  process.env.BENCH_SIDECAR || join(__dirname, '..', '..', 'dist', 'main.js');

/**
 * Runs the built CLI as `npm start` does (same V8 flag). `cpus` pins it to those cores
 * (`taskset -c`), as a benchmark that shares a core with a neighbour needs.
 */
export async function startSidecar(
  config: string,
  nodeArgs = ['--max-semi-space-size=2'],
  cpus?: string,
): Promise<Sidecar> {
  const dir = tempDir('bench-sidecar-');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config);
  const command = [process.execPath, ...nodeArgs, sidecarMain, '--config', file];
  const pinned = cpus === undefined ? command : ['taskset', '-c', cpus, ...command];
  const child = track(
    spawn(pinned[0]!, pinned.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (out.length < 65536) out += chunk.toString();
  });
  child.stderr!.resume();
  let url = '';
  await until('the sidecar to start', () => {
    const port = /"listen":"[^"]*:(\d+)"/.exec(out)?.[1];
    if (port !== undefined) url = `http://127.0.0.1:${port}`;
    return Promise.resolve(url !== '');
  });
  return { url, pid: child.pid! };
}

/** A process that keeps one core busy, as an application under load beside the sidecar. */
export function startBusyNeighbour(cpus: string): number {
  const child = track(
    spawn('taskset', ['-c', cpus, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return child.pid!;
}

export const exporterPath = '/usr/bin/prometheus-redis-exporter';

export function exporterInstalled(): boolean {
  return spawnSync(exporterPath, ['--version']).status === 0;
}

/** Debian's prometheus-redis-exporter (oliver006/redis_exporter) in front of one Redis. */
export async function startExporter(redisPort: number): Promise<Sidecar> {
  const port = await freePort();
  const child = track(
    spawn(
      exporterPath,
      [`--redis.addr=redis://127.0.0.1:${redisPort}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  await until('the exporter to start', async () => (await fetch(`${url}/`)).ok);
  return { url, pid: child.pid! };
}

export async function stopAll(): Promise<void> {
  for (const client of clients) client.disconnect();
  clients.clear();
  const exits = [...children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await Promise.all(exits);
  await stopAllRedis();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
