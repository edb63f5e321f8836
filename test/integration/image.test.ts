// No Docker engine runs in CI, so this test builds what the Dockerfile's final stage holds,
// outside Docker, and starts it the way the image does: production dependencies only, `node
// dist/main.js` as PID 1 of its own PID namespace, as uid 1000, with the root filesystem
// read-only; then SIGTERM must stop it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port';
import { startRedis, stopAllRedis } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .split('\n')
  .filter((line) => /^[A-Z]+ /.test(line))
  .map((line) => line.split(/\s+/));
/** The final stage's environment (NODE_ENV, NODE_OPTIONS, MALLOC_ARENA_MAX), from its ENV lines. */
const imageEnv = instructions
  .filter(([instruction]) => instruction === 'ENV')
  .map(([, setting]) => setting)
  .join(' ');

let app: string;
afterAll(async () => {
  if (app !== undefined) rmSync(app, { recursive: true, force: true });
  await stopAllRedis();
});

test('the build context holds what the Dockerfile copies, and nothing else', () => {
  const copied = instructions
    .filter(([op, from]) => op === 'COPY' && !from!.startsWith('--from'))
    .flatMap((words) => words.slice(1, -1));
  const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).replace(/\/$/, ''));
  expect(copied.sort()).toEqual(allowed.sort());
});

test('the final stage runs Node 24 as a numeric non-root user, exec form, port 19121', () => {
  const final = instructions.slice(instructions.findLastIndex(([op]) => op === 'FROM'));
  expect(final[0]![1]).toMatch(/^node:24(-|$)/);
  expect(final.find(([op]) => op === 'USER')?.[1]).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  expect(final.find(([op]) => op === 'EXPOSE')?.[1]).toBe('19121');
  expect(dockerfile).toContain('ENTRYPOINT ["node", "dist/main.js"]');
});

test('production dependencies only, PID 1, uid 1000, read-only root: serves, then SIGTERM exits 0', async () => {
  // The final stage: package.json, production node_modules, dist (npm test built it).
  app = mkdtempSync(join(tmpdir(), 'image-app-'));
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  const install = spawnSync(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: app, encoding: 'utf8' },
  );
  expect(install.status).toBe(0);
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  const redis = await startRedis();
  const port = await freePort();
  writeFileSync(
    join(app, 'config.yaml'),
    `listen: 127.0.0.1:${port}\nshutdownDelay: 200ms\ntargets:\n  - name: main\n    url: ${redis.url}\n`,
  );
  chmodSync(app, 0o755);

  const script = [
    'mount -o remount,bind,ro / || exit 97',
    `cd ${app}`,
    `exec setpriv --reuid=1000 --regid=1000 --clear-groups env -i ${imageEnv} ` +
      `PATH=/usr/bin:/bin ${process.execPath} dist/main.js serve --config config.yaml`,
  ].join('\n');
  const outer = spawn(
    'unshare',
    ['--mount', '--pid', '--fork', '--kill-child', 'sh', '-c', script],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  outer.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  outer.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => outer.once('exit', resolve));
  try {
    await waitFor('the sidecar to answer /readyz', async () => {
      if (outer.exitCode !== null) {
        throw new Error(`exited ${outer.exitCode} (needs root for unshare and mount):\n${out}`);
      }
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true;
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // The sidecar's pid as the host sees it, and as its own namespace sees it.
    const pid = Number(spawnSync('pgrep', ['-P', String(outer.pid)], { encoding: 'utf8' }).stdout);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^NSpid:\s+\d+\s+1$/m);
    expect(status).toMatch(/^Uid:\s+1000\s/m);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('dist/main.js');

    process.kill(pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toMatch(/EROFS|EACCES|"level":50/);
  } finally {
    outer.kill('SIGKILL');
  }
}, 60_000);
