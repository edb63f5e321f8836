import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built CLI; SIDECAR_MAIN runs another build's instead (to show a test fails without a fix). */
const MAIN = process.env.SIDECAR_MAIN || join(__dirname, '..', '..', 'dist', 'main.js');

export interface SidecarProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Log lines parsed from stdout. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the base URL once the started line is logged. */
  ready(): Promise<string>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Writes a config file into a temporary folder that stopAllSidecars() removes. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-config-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Runs the built CLI (`npm run build` first: `npm test` does). */
export function runSidecar(args: string[], env: Record<string, string> = {}): SidecarProcess {
  // The V8 flag `npm start` and the image use (see the Dockerfile).
  const child = spawn(process.execPath, ['--max-semi-space-size=2', MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const logs = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exit: () => exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
    async ready() {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const started = logs().find((line) => line.msg === 'redis-health-sidecar started');
        if (started !== undefined) {
          const port = String(started.listen).split(':').pop();
          return `http://127.0.0.1:${port}`;
        }
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`sidecar did not start:\n${out}\n${err}`);
    },
  };
}

/** Kills what a test file started and removes its config folders; call from afterAll. */
export function stopAllSidecars(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
