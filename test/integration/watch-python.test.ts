import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { restartableSidecar, type RestartableSidecar } from '../helpers/restartable-sidecar';
import { stopAllSidecars } from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

const DRIVER = join(__dirname, '..', 'fixtures', 'python', 'watch_driver.py');
const PYTHON_MISSING =
  'python3 is needed for the Python client example: `apt-get install -y python3` (Debian/Ubuntu).';

interface Line {
  synced?: boolean;
  states?: Array<{ target: string; breaker: string; up: boolean | null }>;
  change?: { target: string; breaker: string; up: boolean | null };
  previous?: string;
  isOpen?: boolean;
  guard?: string;
  connection?: string;
  error?: string;
}

let redis: RedisServer;
let sidecar: RestartableSidecar;
let python: ChildProcess;
const lines: Line[] = [];

const seen = (what: string, match: (line: Line) => boolean, from = 0) =>
  waitFor(what, () => lines.slice(from).some(match), { timeoutMs: 8000 });

beforeAll(async () => {
  if (spawnSync('python3', ['--version']).status !== 0) throw new Error(PYTHON_MISSING);
  redis = await startRedis();
  sidecar = await restartableSidecar(redis);
  python = spawn('python3', [DRIVER, sidecar.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  python.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const whole = buffered.split('\n');
    buffered = whole.pop() ?? '';
    lines.push(...whole.map((line) => JSON.parse(line) as Line));
  });
});
afterAll(async () => {
  python?.kill('SIGKILL');
  stopAllSidecars();
  await stopAllRedis();
});

describe('examples/python/redis_health_watch.py against the real sidecar', () => {
  test('snapshot, then the breaker both ways; guard falls back while open', async () => {
    await seen('the snapshot', (line) => line.synced === true);
    await seen('main up', (line) => line.change?.up === true || line.states?.[0]?.up === true);
    const from = lines.length;
    await redis.kill();
    await seen('open', (line) => line.change?.breaker === 'open', from);
    expect(lines.find((line) => line.change?.breaker === 'open')).toMatchObject({
      isOpen: true,
      guard: 'fallback',
    });
    await redis.restart();
    await seen('closed', (line) => line.change?.breaker === 'closed', from);
    expect(lines.slice(from).find((line) => line.change?.breaker === 'closed')).toMatchObject({
      isOpen: false,
      guard: 'redis',
    });
  });

  test('a silent sidecar makes the state unknown (fail open); it resumes after', async () => {
    const from = lines.length;
    sidecar.process().kill('SIGSTOP');
    try {
      await seen('stale', (line) => line.connection === 'stale', from);
      await seen('unknown', (line) => line.change?.breaker === 'unknown', from);
      expect(lines.find((line) => line.change?.breaker === 'unknown')).toMatchObject({
        isOpen: false,
        guard: 'redis',
      });
    } finally {
      sidecar.process().kill('SIGCONT');
    }
    await seen('synced again', (line) => line.connection === 'synced', from);
    await seen('known again', (line) => line.change?.breaker === 'closed', from);
  });

  test('a sidecar that is gone: unknown, then followed again once it is back', async () => {
    const from = lines.length;
    sidecar.process().kill('SIGKILL');
    await sidecar.process().exit();
    await seen('refused', (line) => /refused/i.test(line.error ?? ''), from);
    await seen('unknown', (line) => line.change?.breaker === 'unknown', from);
    await sidecar.start();
    await seen('synced again', (line) => line.connection === 'synced', from);
  });
});
