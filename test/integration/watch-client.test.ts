import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { watchTargets, type TargetWatch, type WatchConnection } from '../../src/client';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { restartableSidecar, type RestartableSidecar } from '../helpers/restartable-sidecar';
import { stopAllSidecars } from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

let redis: RedisServer;
let sidecar: RestartableSidecar;
const watches: TargetWatch[] = [];

const watch = (connections: WatchConnection[] = []) => {
  const w = watchTargets({ url: sidecar.url, minRetryMs: 100, maxRetryMs: 400 });
  w.onConnection((connection) => connections.push(connection));
  watches.push(w);
  return w;
};

beforeAll(async () => {
  redis = await startRedis();
  sidecar = await restartableSidecar(redis);
});
afterEach(() => {
  for (const w of watches.splice(0)) w.close();
});
afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

describe('watchTargets (redis-health-sidecar/client)', () => {
  test('follows the breaker; guard falls back at once while it is open', async () => {
    const w = watch();
    const changes: string[] = [];
    w.onChange((state) => changes.push(`${state.target}:${state.breaker}`));
    await w.synced;
    await waitFor('main up', () => w.state('main').up === true);
    expect(w.isOpen('main')).toBe(false);
    await expect(
      w.guard(
        'main',
        () => 'redis',
        () => 'fallback',
      ),
    ).resolves.toBe('redis');
    await expect(
      w.guard(
        'main',
        () => Promise.reject(new Error('boom')),
        (error) => (error as Error).message,
      ),
    ).resolves.toBe('boom');

    await redis.kill();
    await waitFor('breaker open', () => w.isOpen('main'));
    let called = false;
    const answer = await w.guard(
      'main',
      () => {
        called = true;
        return 'redis';
      },
      () => 'fallback',
    );
    expect([answer, called]).toEqual(['fallback', false]);
    await redis.restart();
    await waitFor('breaker closed', () => w.state('main').breaker === 'closed');
    expect(w.isOpen('main')).toBe(false);
    expect(changes).toEqual(expect.arrayContaining(['main:open', 'main:closed']));
  });

  test('a silent sidecar (SIGSTOP) makes every state unknown and isOpen false; it resyncs after', async () => {
    await redis.kill();
    const connections: WatchConnection[] = [];
    const w = watch(connections);
    await w.synced;
    await waitFor('breaker open', () => w.isOpen('main'));
    sidecar.process().kill('SIGSTOP');
    try {
      await waitFor('stale', () => w.state('main').breaker === 'unknown', { timeoutMs: 3000 });
      expect(w.isOpen('main')).toBe(false);
      expect(connections).toContain('stale');
    } finally {
      sidecar.process().kill('SIGCONT');
    }
    await waitFor('known again', () => w.isOpen('main'), { timeoutMs: 5000 });
    await redis.restart();
    await waitFor('breaker closed', () => w.state('main').breaker === 'closed');
  });

  test('a sidecar that is gone means unknown; a restarted one is followed again', async () => {
    const errors: string[] = [];
    const w = watch();
    w.onConnection((_, error) => error !== undefined && errors.push(error.message));
    await w.synced;
    await waitFor('main up', () => w.state('main').up === true);
    sidecar.process().kill('SIGKILL');
    await sidecar.process().exit();
    await waitFor('unknown', () => w.state('main').breaker === 'unknown', { timeoutMs: 3000 });
    // The stream breaks (a reset), then reconnecting is refused: the sidecar is gone.
    await waitFor('refused', () => /ECONNREFUSED/.test(errors.join()), { timeoutMs: 3000 });
    await sidecar.start();
    await waitFor('synced again', () => w.state('main').breaker === 'closed', { timeoutMs: 5000 });
    expect(w.connection()).toBe('synced');
  });

  test('importing the client loads none of the server’s dependencies', () => {
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        "require('redis-health-sidecar/client'); console.log(Object.keys(require.cache).join('\\n'))",
      ],
      { cwd: join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    const packages = new Set(
      [...loaded.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((match) => match[1]),
    );
    expect([...packages]).toEqual(['eventsource-parser']);
  });
});
