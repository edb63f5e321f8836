import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { shardOf } from '../../src/config/shard';
import { configText } from '../helpers/config-arbitraries';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

const fixtures = join(__dirname, '..', 'fixtures');
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

describe('validate', () => {
  test('exits 0 on a valid file', async () => {
    const run = runSidecar([
      'validate',
      '--config',
      join(fixtures, 'valid', 'defaults-and-overrides.yaml'),
    ]);
    expect((await run.exit()).code).toBe(0);
    expect(run.stdout()).toBe('configuration is valid: 4 target(s)\n');
  });

  test('exits 2 with one line per problem, key path and line, no stack trace', async () => {
    const run = runSidecar([
      'validate',
      '--config',
      join(fixtures, 'invalid', 'many-problems.yaml'),
    ]);
    expect((await run.exit()).code).toBe(2);
    expect(run.stderr()).toBe(
      [
        'invalid configuration:',
        'many-problems.yaml:4: targets[1].name: must be a string',
        'many-problems.yaml:5: targets[1].url: must be a string',
        'many-problems.yaml:6: targets[1].interval: must be a duration such as 250ms, 5s or 1m',
        '',
      ].join('\n'),
    );
  });

  test('serve refuses a bad config the same way', async () => {
    const run = runSidecar(['--config', join(fixtures, 'invalid', 'bad-scheme.yaml')]);
    expect((await run.exit()).code).toBe(2);
    expect(run.stderr()).toContain('bad-scheme.yaml:5: targets[1].url: scheme http://');
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  test('a bad REDIS_URL is a config error too', async () => {
    const run = runSidecar(['validate'], { REDIS_URL: 'http://x' });
    expect((await run.exit()).code).toBe(2);
    expect(run.stderr()).toContain('REDIS_URL: scheme http:// is not supported');
  });

  test('fuzzed files (fast-check): exit 0 or 2 with a message, never a crash or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(configText, async (text) => {
        const run = runSidecar(['validate', '--config', writeConfig(text)]);
        const timer = setTimeout(() => run.kill('SIGKILL'), 10_000); // a hang fails the run
        const { code } = await run.exit();
        clearTimeout(timer);
        const said = code === 0 ? run.stdout() : run.stderr();
        return (code === 0 || code === 2) && said.trim() !== '' && !/\n\s+at /.test(said);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('usage', () => {
  test('--help shows commands and examples', async () => {
    const run = runSidecar(['--help']);
    expect((await run.exit()).code).toBe(0);
    expect(run.stdout()).toContain('Usage: redis-health-sidecar [serve|check|validate]');
    expect(run.stdout()).toContain('Examples:');
  });

  test('--version prints the package version', async () => {
    const run = runSidecar(['--version']);
    expect((await run.exit()).code).toBe(0);
    expect(run.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test.each([[['--bogus']], [['frobnicate']], [['validate', 'extra']]])(
    '%j exits 2 with usage',
    async (args) => {
      const run = runSidecar(args);
      expect((await run.exit()).code).toBe(2);
      expect(run.stderr()).toMatch(/^error: .+\n\nUsage:/);
    },
  );
});

describe('check', () => {
  test('exits 0 and prints a table when every required target is up', async () => {
    const file = writeConfig(`
targets:
  - name: main
    url: ${redis.url}
  - name: optional
    url: redis://127.0.0.1:1/0
    required: false
`);
    const run = runSidecar(['check', '--config', file]);
    expect((await run.exit()).code).toBe(0);
    const [header, main, optional, blank, verdict] = run.stdout().split('\n');
    expect(header).toMatch(
      /^TARGET\s+ADDRESS\s+REQUIRED\s+STATE\s+LATENCY\s+ROLE\s+VERSION\s+MEMORY\s+CLIENTS\s+REASON$/,
    );
    expect(main).toMatch(
      new RegExp(
        `^main\\s+127\\.0\\.0\\.1:${redis.port}\\s+yes\\s+up\\s+[\\d.]+ms\\s+master\\s+\\d+\\.\\d+\\.\\d+\\s+[\\d.]+[KMG]?B?\\s+\\d+\\s+ok$`,
      ),
    );
    expect(optional).toMatch(
      /^optional\s+127\.0\.0\.1:1\s+no\s+down\s+-\s+-\s+-\s+-\s+-\s+refused: /,
    );
    expect(blank).toBe('');
    expect(verdict).toBe('OK: 1 of 2 targets up (1 optional down)');
  });

  test('--output json: the same for scripts, with the server facts', async () => {
    const run = runSidecar(['check', '--output', 'json'], { REDIS_URL: redis.url });
    expect((await run.exit()).code).toBe(0);
    const answer = JSON.parse(run.stdout()) as {
      ok: boolean;
      verdict: string;
      targets: Array<{
        name: string;
        up: boolean;
        server: { role: string; version: string } | null;
      }>;
    };
    expect(answer).toMatchObject({ ok: true, verdict: 'OK: 1 of 1 targets up' });
    expect(answer.targets[0]).toMatchObject({
      name: 'default',
      up: true,
      server: { role: 'master' },
    });
  });

  test('sharded: check probes every target and says which shard holds each', async () => {
    const names = ['payments', 'orders', 'sessions', 'search', 'carts'];
    const config = writeConfig(
      `targets:\n${names.map((name) => `  - { name: ${name}, url: "${redis.url}" }`).join('\n')}\n`,
    );
    const run = runSidecar(['check', '-c', config, '--total-shards', '3', '--output', 'json'], {
      POD_NAME: 'redis-health-sidecar-2',
    });
    expect((await run.exit()).code).toBe(0);
    const answer = JSON.parse(run.stdout()) as { targets: Array<{ name: string; shard: number }> };
    expect(answer.targets.map(({ name, shard }) => [name, shard])).toEqual(
      names.map((name) => [name, shardOf(name, 3)]),
    );
  });

  test('--output anything else is bad usage: exit 2', async () => {
    const run = runSidecar(['check', '--output', 'yaml']);
    expect((await run.exit()).code).toBe(2);
    expect(run.stderr()).toContain('--output must be table or json, not "yaml"');
  });

  test('exits 1 when a required target is down', async () => {
    const run = runSidecar(['check'], { REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect((await run.exit()).code).toBe(1);
    expect(run.stdout()).toMatch(/default\s+127\.0\.0\.1:1\s+yes\s+down/);
    expect(run.stdout()).toContain(
      'FAILED: 1 required target(s) down (default: refused); 0 of 1 targets up',
    );
  });
});

describe('serve', () => {
  test('probes REDIS_URL without a config file', async () => {
    const run = runSidecar(['--listen', '127.0.0.1:0'], { REDIS_URL: redis.url });
    const base = await run.ready();
    await waitFor('ready', async () => (await httpGet(`${base}/readyz`)).status === 200);
    expect((await httpGet(`${base}/metrics`)).body).toContain(
      `redis_health_target_info{target="default",address="127.0.0.1:${redis.port}",db="0",mode="standalone",required="true"} 1`,
    );
    run.kill('SIGINT');
    expect(await run.exit()).toEqual({ code: 0, signal: null });
  });

  test('once the config is loaded, the serving process keeps neither its parser nor its schema', async () => {
    // A preload that answers SIGUSR2 with the packages the main thread has loaded.
    const preload = join(dirname(writeConfig('')), 'loaded.js');
    writeFileSync(
      preload,
      `process.on('SIGUSR2', () => process.stderr.write('loaded: ' + Object.keys(require.cache)
        .map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file)?.[1]).join(',') + '\\n'));`,
    );
    const file = writeConfig(`listen: 127.0.0.1:0
targets:
  - { name: main, url: '${redis.url}' }
`);
    const run = runSidecar(['--config', file], { NODE_OPTIONS: `--require ${preload}` });
    await run.ready();
    run.kill('SIGUSR2');
    await waitFor('the loaded packages', () => Promise.resolve(run.stderr().includes('loaded: ')));
    const loaded = new Set(/loaded: (.*)/.exec(run.stderr())?.[1]?.split(','));
    expect(loaded.has('ioredis')).toBe(true); // the list is real
    expect(loaded.has('zod')).toBe(false);
    expect(loaded.has('yaml')).toBe(false);
    run.kill('SIGINT');
    expect((await run.exit()).code).toBe(0);
  });

  test('SIGTERM: readyz fails at once, serving goes on for shutdownDelay, QUIT, exit 0', async () => {
    const file = writeConfig(`
listen: 127.0.0.1:0
shutdownDelay: 1500ms
defaults: { interval: 200ms, timeout: 100ms }
targets:
  - name: main
    url: ${redis.url}
`);
    const run = runSidecar(['--config', file]);
    const base = await run.ready();
    await waitFor('ready', async () => (await httpGet(`${base}/readyz`)).status === 200);
    const quits = async () =>
      Number(
        /cmdstat_quit:calls=(\d+)/.exec(String(await redis.command('INFO', 'commandstats')))?.[1] ??
          0,
      );
    const quitsBefore = await quits();

    const signalled = performance.now();
    run.kill('SIGTERM');
    await waitFor('readyz 503', async () => (await httpGet(`${base}/readyz`)).status === 503, {
      timeoutMs: 1000,
    });
    expect(performance.now() - signalled).toBeLessThan(1000);
    // Still serving during the delay: liveness and metrics answer.
    expect((await httpGet(`${base}/healthz`)).status).toBe(200);
    expect((await httpGet(`${base}/metrics`)).body).toContain('redis_health_ready 0');

    expect(await run.exit()).toEqual({ code: 0, signal: null });
    const stoppedAfter = performance.now() - signalled;
    expect(stoppedAfter).toBeGreaterThanOrEqual(1500);
    expect(stoppedAfter).toBeLessThan(5000);
    expect(await quits()).toBe(quitsBefore + 1);
    const messages = run.logs().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['shutting down: readiness now fails', 'stopped']),
    );
  });

  test('a port already in use exits 1 with a log line, not a stack trace', async () => {
    const first = runSidecar(['--listen', '127.0.0.1:0'], { REDIS_URL: redis.url });
    const base = await first.ready();
    const port = new URL(base).port;
    const second = runSidecar(['--listen', `127.0.0.1:${port}`], { REDIS_URL: redis.url });
    expect((await second.exit()).code).toBe(1);
    expect(second.logs().find((line) => line.msg === 'cannot start')).toMatchObject({
      err: { code: 'EADDRINUSE' },
    });
    first.kill();
    await first.exit();
  });
});
