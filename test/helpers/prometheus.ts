import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait';

export interface PrometheusServer {
  readonly url: string;
  /** GET /api/v1/<path>; throws with Prometheus's error when the status is not success. */
  api<T>(path: string): Promise<T>;
  /** An instant query; the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

const MISSING =
  'prometheus is not on PATH: install it with `apt-get install -y prometheus` (Debian), or put ' +
  'the release binary on PATH';

/** Starts Debian's (or any on PATH) Prometheus with `config` (YAML) on 127.0.0.1; no TSDB kept. */
export async function startPrometheus(config: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const started = waitFor(
    'Prometheus to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
    },
    { timeoutMs: 20_000, everyMs: 100 },
  );
  const failed = await Promise.race([started.then(() => undefined), spawnError]);
  if (failed !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${MISSING} (${failed.message})`);
  }

  async function api<T>(path: string): Promise<T> {
    const reply = await fetch(`${url}/api/v1/${path}`);
    const body = (await reply.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? reply.status}`);
    return body.data;
  }
  return {
    url,
    api,
    query: async (expr) =>
      (
        await api<{ result: Awaited<ReturnType<PrometheusServer['query']>> }>(
          `query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    stop,
  };
}
