import { httpGet } from '../helpers/http';
import { createLogSink } from '../helpers/log-sink';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

// Probe every 500 ms with a 400 ms timeout; 3 failures open the breaker, 2 s to recover.
const INTERVAL = 500;
const TIMEOUT = 400;
const FAILURES = 3;
const RECOVERY = 2000;
const SUCCESSES = 2;
/** The design's bound for noticing an outage, plus the ±5 % schedule jitter. */
const DETECT_BOUND = FAILURES * INTERVAL + TIMEOUT + FAILURES * INTERVAL * 0.05;
/** Open → trial after recoveryTimeout, then successThreshold probes, one interval apart. */
const RECOVER_BOUND = RECOVERY + SUCCESSES * INTERVAL + INTERVAL;
/** Polling /readyz and timer latency on a busy 2-core machine. */
const SLACK = 200;

let redis: RedisServer;
let base: string;
const sink = createLogSink('info');

const readyz = async () => (await httpGet(`${base}/readyz`)).status;
const status = async () =>
  JSON.parse((await httpGet(`${base}/status`)).body) as {
    targets: Array<{ name: string; breaker: string; lastError: { reason: string } | null }>;
  };
const metric = async (series: string) => {
  const text = (await httpGet(`${base}/metrics`)).body;
  const line = text.split('\n').find((item) => item.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  redis = await startRedis({ unixSocket: true });
  ({ base } = await startTestSidecar(
    `
listen: 127.0.0.1:0
defaults:
  interval: ${INTERVAL}ms
  timeout: ${TIMEOUT}ms
  breaker: { failureThreshold: ${FAILURES}, recoveryTimeout: ${RECOVERY}ms, successThreshold: ${SUCCESSES} }
targets:
  - name: main
    url: ${redis.url}
  - name: socket
    url: unix://${redis.socketPath ?? ''}?db=1
    required: false
  - name: nothing-here
    url: redis://127.0.0.1:1/0
    required: false
`,
    sink.logger,
  ));
});

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

test('becomes ready after the first probe, which starts at once', async () => {
  const elapsed = await waitFor('ready', async () => (await readyz()) === 200, { timeoutMs: 3000 });
  expect(elapsed).toBeLessThan(INTERVAL);
  expect(await metric('redis_health_up{target="main"}')).toBe(1);
  expect(await metric('redis_health_up{target="socket"}')).toBe(1);
  expect(await metric('redis_health_up{target="nothing-here"}')).toBe(0);
  const targets = (await status()).targets;
  expect(targets.find((t) => t.name === 'nothing-here')?.lastError?.reason).toBe('refused');
});

test('steady state: no new connection and one PING per probe', async () => {
  await waitFor('ready', async () => (await readyz()) === 200);
  const stats = async () => {
    const info = String(await redis.command('INFO', 'all'));
    const calls: Record<string, number> = Object.fromEntries(
      [...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map(([, name, count]) => [
        name,
        Number(count),
      ]),
    );
    return { connections: Number(/total_connections_received:(\d+)/.exec(info)?.[1]), calls };
  };
  const okProbes = async () =>
    ((await metric('redis_health_probes_total{target="main",result="ok"}')) ?? 0) +
    ((await metric('redis_health_probes_total{target="socket",result="ok"}')) ?? 0);
  const before = await stats();
  const probesBefore = await okProbes();
  // Both targets probe twice a second: eight probes take about two seconds.
  await waitFor('eight more probes', async () => (await okProbes()) - probesBefore >= 8);
  const probesAfter = await okProbes();
  const after = await stats();
  // The only new connection is the one this test opened for INFO.
  expect(after.connections - before.connections).toBe(1);
  const changed = Object.keys(after.calls).filter(
    (name) => after.calls[name] !== before.calls[name],
  );
  expect(changed.sort()).toEqual(['info', 'ping']);
  const pings = (after.calls.ping ?? 0) - (before.calls.ping ?? 0);
  // Both targets on this server probe twice a second: one PING per probe, nothing else. The
  // counters and INFO are read a moment apart, so a probe may fall between the two reads.
  expect(Math.abs(pings - (probesAfter - probesBefore))).toBeLessThanOrEqual(2);
  expect(pings).toBeGreaterThanOrEqual(6);
});

test('hung Redis (SIGSTOP): readyz flips within the bound, metrics and healthz stay fast', async () => {
  await waitFor('ready', async () => (await readyz()) === 200);
  const latencies: number[] = [];
  let healthy = true;
  await redis.pause();
  const detected = await waitFor(
    'readyz 503',
    async () => {
      const [metrics, healthz, ready] = await Promise.all([
        httpGet(`${base}/metrics`),
        httpGet(`${base}/healthz`),
        readyz(),
      ]);
      latencies.push(metrics.ms);
      healthy &&= healthz.status === 200;
      return ready === 503;
    },
    { timeoutMs: 10_000 },
  );
  console.log(`hung Redis detected after ${detected.toFixed(0)} ms (bound ${DETECT_BOUND} ms)`);
  expect(detected).toBeLessThanOrEqual(DETECT_BOUND + SLACK);
  expect(healthy).toBe(true);
  // A request that waited on Redis would take at least the 400 ms probe timeout.
  console.log(
    `worst /metrics latency while hung: ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} scrapes`,
  );
  expect(Math.max(...latencies)).toBeLessThan(TIMEOUT / 2);
  expect((await status()).targets.find((t) => t.name === 'main')?.lastError?.reason).toBe(
    'timeout',
  );
  expect(await metric('redis_health_breaker_state{target="main",state="open"}')).toBe(1);
  expect((await httpGet(`${base}/healthz`)).status).toBe(200);

  await redis.resume();
  const recovered = await waitFor('readyz 200', async () => (await readyz()) === 200, {
    timeoutMs: 10_000,
  });
  console.log(`recovered ${recovered.toFixed(0)} ms after resume (bound ${RECOVER_BOUND} ms)`);
  expect(recovered).toBeLessThanOrEqual(RECOVER_BOUND + SLACK);
  expect(
    await metric('redis_health_breaker_transitions_total{target="main",from="closed",to="open"}'),
  ).toBeGreaterThanOrEqual(1);
  expect(
    await metric(
      'redis_health_breaker_transitions_total{target="main",from="half_open",to="closed"}',
    ),
  ).toBeGreaterThanOrEqual(1);
  const logged = sink.lines().filter((line) => line.target === 'main' && line.to === 'open');
  expect(logged.length).toBeGreaterThanOrEqual(1);
});

test('killed Redis: refused, readyz flips within the bound, and recovers after restart', async () => {
  await waitFor('ready', async () => (await readyz()) === 200);
  await redis.kill();
  const detected = await waitFor('readyz 503', async () => (await readyz()) === 503);
  console.log(`killed Redis detected after ${detected.toFixed(0)} ms (bound ${DETECT_BOUND} ms)`);
  expect(detected).toBeLessThanOrEqual(DETECT_BOUND + SLACK);
  const main = (await status()).targets.find((t) => t.name === 'main');
  expect(main?.lastError?.reason).toMatch(/^(refused|closed)$/);
  expect(
    await metric('redis_health_probes_total{target="main",result="refused"}'),
  ).toBeGreaterThanOrEqual(1);
  expect((await httpGet(`${base}/healthz`)).status).toBe(200);

  await redis.restart();
  const recovered = await waitFor('readyz 200', async () => (await readyz()) === 200);
  expect(recovered).toBeLessThanOrEqual(RECOVER_BOUND + SLACK);
});
