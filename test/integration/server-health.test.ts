import { httpGet } from '../helpers/http';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

/** Starts a sidecar on `targets` (YAML list items) with fast probing; returns its base URL. */
async function startSidecar(targets: string): Promise<string> {
  const { base } = await startTestSidecar(
    `listen: 127.0.0.1:0
defaults: { interval: 100ms, timeout: 90ms, infoInterval: 100ms,
            breaker: { failureThreshold: 3, recoveryTimeout: 500ms, successThreshold: 1 } }
targets:
${targets}`,
  );
  return base;
}

interface Status {
  name: string;
  up: boolean | null;
  lastError: { reason: string } | null;
  server: { role: string; loading: boolean; version: string } | null;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

const statusOf = async (base: string, name: string) =>
  (JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Status[] }).targets.find(
    (target) => target.name === name,
  ) as Status;

test('INFO facts in /status and /metrics; role: master on a replica is not ready', async () => {
  const master = await startRedis();
  const replica = await startRedis({ args: ['--replicaof', master.host, String(master.port)] });
  const base = await startSidecar(`
  - { name: primary, url: "${master.url}", role: master, maxReplicationLag: 10s }
  - { name: secondary, url: "${replica.url}", role: master }
  - { name: follower, url: "${replica.url}", role: replica, maxReplicationLag: 10s }
`);
  await waitFor('facts of every target', async () => {
    const body = JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Status[] };
    return body.targets.every((target) => target.server !== null && target.up === true);
  });
  await waitFor('replica in sync', async () => {
    const [secondary, follower] = await Promise.all(
      ['secondary', 'follower'].map((name) => statusOf(base, name)),
    );
    return [...(secondary?.checks ?? []), ...(follower?.checks ?? [])]
      .filter((check) => check.name === 'sync' || check.name === 'replication')
      .every((check) => check.ok);
  });

  expect((await statusOf(base, 'primary')).server).toMatchObject({
    role: 'master',
    loading: false,
  });
  const verbose = await httpGet(`${base}/readyz?verbose`);
  expect(verbose.status).toBe(503);
  expect(verbose.body).toContain('[+]target:primary ok');
  expect(verbose.body).toContain('[-]target:secondary failed: role is replica, want master');
  expect(verbose.body).toContain('[+]target:follower ok');
  expect((await httpGet(`${base}/readyz/follower`)).status).toBe(200);

  const metrics = (await httpGet(`${base}/metrics`)).body;
  expect(metrics).toMatch(
    /^redis_health_server_info\{target="secondary",redis_version="([\d.]+)",role="replica",server="redis",version="\1"\} 1$/m,
  );
  expect(metrics).toContain('redis_health_server_master_link_up{target="follower"} 1');
  expect(metrics).toContain('redis_health_check_ok{target="secondary",check="role"} 0');
  expect(metrics).toMatch(/^redis_health_server_uptime_seconds\{target="primary"\} \d+$/m);
  // No memory ratio without maxmemory, no master link on a master.
  expect(metrics).not.toContain('redis_health_server_memory_used_ratio{target="primary"}');
  expect(metrics).not.toContain('redis_health_server_master_link_up{target="primary"}');
}, 30_000);

test('MASTERDOWN: a replica that will not serve stale data is down but alive', async () => {
  const master = await startRedis();
  const replica = await startRedis({
    args: ['--replicaof', master.host, String(master.port), '--replica-serve-stale-data', 'no'],
  });
  const base = await startSidecar(`  - { name: stale, url: "${replica.url}" }\n`);
  await waitFor('replica up', async () => (await statusOf(base, 'stale')).up === true);

  await master.kill();
  await waitFor(
    'masterdown',
    async () => (await statusOf(base, 'stale')).lastError?.reason === 'masterdown',
  );
  expect((await httpGet(`${base}/livez/stale`)).status).toBe(200);
  await waitFor('unready', async () => (await httpGet(`${base}/readyz/stale`)).status === 503);
  const livez = await httpGet(`${base}/livez/stale`);
  expect([livez.status, livez.body]).toEqual([200, 'ok: answers (masterdown)\n']);
  expect((await httpGet(`${base}/metrics`)).body).toContain(
    'redis_health_server_master_link_up{target="stale"} 0',
  );

  await replica.kill();
  await waitFor(
    '/livez 503 once Redis is gone',
    async () => (await httpGet(`${base}/livez/stale`)).status === 503,
  );
}, 30_000);

test('a replica in a full sync, or cut off from its master, answers PONG but is not ready', async () => {
  // The master streams its 1000 keys at 2 ms a key: the replica sits in a full sync for 2 s.
  const master = await startRedis({
    args: ['--enable-debug-command', 'yes', '--repl-diskless-sync', 'yes'],
  });
  await master.command('DEBUG', 'POPULATE', 1000);
  await master.command('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
  await master.command('CONFIG', 'SET', 'rdb-key-save-delay', '2000');
  const replica = await startRedis({ args: ['--replicaof', master.host, String(master.port)] });
  const base = await startSidecar(`
  - { name: syncing, url: "${replica.url}" }
  - { name: relaxed, url: "${replica.url}", reportOnly: true }
`);
  const readiness = new Set<string>();
  await waitFor('in sync', async () => {
    const line = (await httpGet(`${base}/readyz?verbose`)).body.split('\n')[1] ?? '';
    readiness.add(line);
    return line === '[+]target:syncing ok';
  });
  expect(readiness).toContain('[-]target:syncing failed: full sync from the master in progress');

  await master.kill();
  await waitFor('master link down', async () =>
    (await httpGet(`${base}/readyz?verbose`)).body.includes(
      '[-]target:syncing failed: master link is down',
    ),
  );
  const syncing = await statusOf(base, 'syncing');
  expect(syncing.up).toBe(true);
  expect(syncing.checks).toContainEqual({ name: 'sync', ok: false, detail: 'master link is down' });
  // reportOnly: the same replica is ready, with the warning in /status.
  expect((await httpGet(`${base}/readyz/relaxed`)).status).toBe(200);
  expect((await httpGet(`${base}/metrics`)).body).toContain(
    'redis_health_check_ok{target="syncing",check="sync"} 0',
  );
}, 30_000);

test('LOADING: a Redis loading its dataset is down but alive, then up', async () => {
  const writer = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  await writer.command('DEBUG', 'POPULATE', 50_000);
  await writer.command('SAVE');
  const dir = writer.dir ?? '';
  await writer.kill();
  // key-load-delay (a Redis setting for tests) stretches loading to a few seconds; events
  // (our PINGs) are served every 1 KiB loaded rather than every 2 MiB.
  const loading = await startRedis({
    args: [
      '--dir',
      dir,
      '--key-load-delay',
      '20',
      '--loading-process-events-interval-bytes',
      '1024',
    ],
  });
  const base = await startSidecar(`  - { name: big, url: "${loading.url}" }\n`);
  const seen = new Set<string>();
  const loaded = await waitFor(
    'loaded',
    async () => {
      const status = await statusOf(base, 'big');
      if (status.lastError !== null) seen.add(status.lastError.reason);
      if (status.server?.loading === true) seen.add('loading fact');
      if (status.up !== true) {
        const livez = await httpGet(`${base}/livez/big`);
        seen.add(`livez ${livez.status}`);
      }
      return status.up === true;
    },
    { timeoutMs: 20_000 },
  );
  console.log(`LOADING seen for ${loaded.toFixed(0)} ms: ${[...seen].join(', ')}`);
  expect([...seen].sort()).toEqual(['livez 200', 'loading', 'loading fact']);
  expect((await statusOf(base, 'big')).server?.loading).toBe(false);
}, 40_000);

test('write canary: a full Redis with noeviction is oom; a replica is readonly', async () => {
  const full = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  await full.command('DEBUG', 'POPULATE', 20_000);
  await full.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  await full.command('CONFIG', 'SET', 'maxmemory', '1mb');
  const master = await startRedis();
  const replica = await startRedis({ args: ['--replicaof', master.host, String(master.port)] });
  const base = await startSidecar(`
  - { name: full, url: "${full.url}", write: { key: canary, ttl: 5s }, maxMemoryRatio: 0.9 }
  - { name: writable, url: "${master.url}", write: {} }
  - { name: replica, url: "${replica.url}", write: { ttl: 1s } }
  - { name: plain, url: "${full.url}" }
`);
  await waitFor('every target probed', async () => {
    const body = JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Status[] };
    return body.targets.every((target) => target.up !== null && target.server !== null);
  });
  expect((await statusOf(base, 'full')).lastError?.reason).toBe('oom');
  expect((await statusOf(base, 'replica')).lastError?.reason).toBe('readonly');
  expect((await statusOf(base, 'writable')).up).toBe(true);
  expect((await statusOf(base, 'plain')).up).toBe(true); // PING alone cannot see it
  expect(Number(await master.command('PTTL', 'redis-health-sidecar:canary'))).toBeGreaterThan(0);
  const metrics = (await httpGet(`${base}/metrics`)).body;
  expect(metrics).toMatch(/^redis_health_probes_total\{target="full",result="oom"\} [1-9]/m);
  expect(metrics).toMatch(
    /^redis_health_server_memory_used_ratio\{target="full"\} (1|[2-9])\.?\d*/m,
  );
  expect((await httpGet(`${base}/livez/full`)).status).toBe(200);
}, 30_000);

describe('/probe', () => {
  let redis: RedisServer;
  let base: string;
  const connections = async () =>
    Number(
      /total_connections_received:(\d+)/.exec(String(await redis.command('INFO', 'stats')))?.[1],
    );

  beforeAll(async () => {
    redis = await startRedis();
    // No fresh-connection check, and the monitor's first probe done before any counting: the
    // connections counted are the ones /probe makes.
    base = await startSidecar(
      `  - { name: main, url: "${redis.url}", interval: 1m, timeout: 1s, infoInterval: 1m, connectCheck: 0 }\n`,
    );
    await waitFor('the first probe', async () => (await statusOf(base, 'main')).up === true);
  });

  test('probes a configured target now, with its own registry', async () => {
    const before = await connections();
    const reply = await httpGet(`${base}/probe?target=main`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '5' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^probe_success 1$/m);
    expect(reply.body).toMatch(/^probe_duration_seconds 0\.\d+/m);
    expect(reply.body).toContain('probe_result{result="ok"} 1');
    expect(reply.body).toMatch(
      /^redis_health_server_info\{target="main",redis_version="([\d.]+)",role="master",server="redis",version="\1"\} 1$/m,
    );
    expect(reply.body).not.toContain('redis_health_probes_total'); // the monitor's own series stay out
    // Its own connection (plus the one counting them).
    expect((await connections()) - before).toBe(2);
  });

  test('a dead target answers 200 with probe_success 0 and the reason', async () => {
    await redis.kill();
    const reply = await httpGet(`${base}/probe?target=main`);
    expect(reply.body).toMatch(/^probe_success 0$/m);
    expect(reply.body).toContain('probe_result{result="refused"} 1');
    await redis.restart();
  });

  test.each([
    ['an unknown name', 'nope', 404],
    ['an address', encodeURIComponent(`127.0.0.1:${0}`), 404],
    ['a URL', encodeURIComponent('redis://127.0.0.1:6379'), 404],
  ])('%s is refused and connects nowhere', async (_, name, code) => {
    const before = await connections();
    const reply = await httpGet(`${base}/probe?target=${name}`);
    expect(reply.status).toBe(code);
    expect(reply.body).toMatch(/^unknown target: /);
    expect((await connections()) - before).toBe(1); // only the counting connection
  });
});
