// Sentinel's own health against three real sentinels (quorum 2): how many answer, whether they
// have a quorum (SENTINEL CKQUORUM), and the opt-in minSentinels check, shown failing as
// sentinels stop and recovering as they come back, while the master itself answers PONG.
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

let master: RedisServer;
let sentinels: RedisServer[];
let base: string;

beforeAll(async () => {
  master = await startRedis();
  const sentinelOf = { masterName: 'quorate', host: '127.0.0.1', port: master.port, quorum: 2 };
  sentinels = await Promise.all([1, 2, 3].map(() => startRedis({ sentinelOf })));
  // Sentinels find each other through the master's hello channel, every 2 s.
  await waitFor(
    'sentinels to know each other',
    async () =>
      String(
        await sentinels[0]?.command('SENTINEL', 'CKQUORUM', 'quorate').catch(() => 'NOQUORUM'),
      ).startsWith('OK 3 usable'),
    { timeoutMs: 20_000, everyMs: 200 },
  );
  const list = sentinels.map((sentinel) => `"127.0.0.1:${sentinel.port}"`).join(', ');
  ({ base } = await startTestSidecar(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, infoInterval: 300ms }
targets:
  - name: quorate
    sentinel: { masterName: quorate, sentinels: [${list}], minSentinels: 2 }
`));
}, 60_000);

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

const metrics = async () => (await httpGet(`${base}/metrics`)).body;
const readyLine = async () =>
  (await httpGet(`${base}/readyz?verbose`)).body
    .split('\n')
    .find((line) => line.includes('target:quorate')) ?? '';

test('three sentinels answer with a quorum: ready, and the counts exported', async () => {
  await waitFor('ready', async () => (await readyLine()) === '[+]target:quorate ok');
  const text = await metrics();
  expect(text).toContain('redis_health_sentinels_answering{target="quorate"} 3');
  expect(text).toContain('redis_health_sentinels_configured{target="quorate"} 3');
  expect(text).toContain('redis_health_sentinel_quorum_ok{target="quorate"} 1');
  expect(text).toContain('redis_health_check_ok{target="quorate",check="sentinels"} 1');
  expect((await httpGet(`${base}/`)).body).toContain('3 of 3 sentinels answer, quorum ok');
  // An on-demand probe says the same as the background monitor.
  const probed = (await httpGet(`${base}/probe?target=quorate`)).body;
  expect(probed).toContain('probe_success 1');
  expect(probed).toContain('redis_health_sentinels_answering{target="quorate"} 3');
  expect(probed).toContain('redis_health_check_ok{target="quorate",check="sentinels"} 1');
});

test('sentinels stop: below minSentinels, then no quorum; back: ready again', async () => {
  await sentinels[2]?.kill();
  await waitFor('two answer', async () =>
    (await metrics()).includes('redis_health_sentinels_answering{target="quorate"} 2'),
  );
  // Two of three still make quorum 2 and a majority.
  expect(await readyLine()).toBe('[+]target:quorate ok');

  await sentinels[1]?.kill();
  await waitFor('no quorum', async () =>
    (await metrics()).includes('redis_health_sentinel_quorum_ok{target="quorate"} 0'),
  );
  await waitFor('unready', async () => (await readyLine()).startsWith('[-]'));
  expect(await readyLine()).toMatch(
    /^\[-\]target:quorate failed: 1 of 3 sentinels answer, want 2, no quorum: NOQUORUM /,
  );
  // The master itself still answers PONG through the one sentinel left.
  const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
    targets: Array<{ up: boolean; sentinels: { answering: number; quorum: boolean } }>;
  };
  expect(status.targets[0]).toMatchObject({ up: true, sentinels: { answering: 1, quorum: false } });

  await Promise.all([sentinels[1]?.restart(), sentinels[2]?.restart()]);
  await waitFor('ready again', async () => (await readyLine()) === '[+]target:quorate ok', {
    timeoutMs: 20_000,
  });
}, 40_000);
