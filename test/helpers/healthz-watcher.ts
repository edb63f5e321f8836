import { spawn } from 'node:child_process';

export interface HealthzWatch {
  /** Requests sent, the slowest answer's wall time and answers other than 200 (a timeout counts). */
  stop(): Promise<{ count: number; worstMs: number; failures: number }>;
}

// Runs in its own process, as a kubelet does: a test process busy reading large answers would
// otherwise delay its own /healthz timings and blame the sidecar for them.
const SCRIPT = `
const http = require('node:http');
const url = process.argv[1];
const result = { count: 0, worstMs: 0, failures: 0 };
let stopping = false;
process.stdin.on('data', () => {}).on('end', () => (stopping = true));
const once = (started) => new Promise((resolve) => {
  const req = http.get(url, { agent: false }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode === 200));
    res.on('error', () => resolve(false));
  });
  req.setTimeout(10000, () => req.destroy());
  req.on('error', () => resolve(false));
}).then((ok) => {
  result.count += 1;
  result.worstMs = Math.max(result.worstMs, performance.now() - started);
  if (!ok) result.failures += 1;
});
(async () => {
  while (!stopping) {
    const started = performance.now();
    await once(started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(JSON.stringify(result));
})();
`;

/** Polls `url` (a /healthz) every 100 ms from a separate Node process until stopped. */
export function watchHealthz(url: string): HealthzWatch {
  const child = spawn(process.execPath, ['-e', SCRIPT, url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    async stop() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0 || out === '') throw new Error(`the /healthz watcher exited with ${code}`);
      return JSON.parse(out) as { count: number; worstMs: number; failures: number };
    },
  };
}
