// The pub/sub round trip against a real Redis: a message published on the probe connection
// arrives on the subscribed one; when the subscriber is cut off and cannot come back (maxclients
// reached) PING still answers but the target is down with reason pubsub, then recovers.
import Redis from 'ioredis';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

let redis: RedisServer;
let base: string;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedis();
  ({ base } = await startTestSidecar(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, connectCheck: 0 }
targets:
  - { name: stream, url: "${redis.url}", pubsub: { channel: orders }, required: false }
`));
  admin = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
  await admin.connect();
});

afterAll(async () => {
  admin.disconnect();
  await stopTestSidecars();
  await stopAllRedis();
});

interface Status {
  up: boolean | null;
  lastError: { reason: string; message: string } | null;
  pubsub: { channel: string; roundTripMs: number | null };
}
const status = async () =>
  (JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Status[] })
    .targets[0] as Status;

test('a round trip through the channel, its latency exported', async () => {
  await waitFor('up', async () => (await status()).up === true);
  expect((await status()).pubsub).toEqual({ channel: 'orders', roundTripMs: expect.any(Number) });
  expect((await httpGet(`${base}/metrics`)).body).toMatch(
    /^redis_health_pubsub_round_trip_seconds\{target="stream"\} [\d.e-]+$/m,
  );
  // The subscriber is a second connection, subscribed to the channel.
  expect(await admin.pubsub('NUMSUB', 'orders')).toEqual(['orders', 1]);
});

test('the subscriber cut off and refused on return: down with reason pubsub, then back', async () => {
  await waitFor('up', async () => (await status()).up === true);
  // Three connections now (probe, subscriber, admin): no room for a fourth after the kill.
  await admin.config('SET', 'maxclients', '2');
  await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await waitFor('down', async () => (await status()).up === false);
  const { lastError } = await status();
  expect(lastError?.reason).toBe('pubsub');
  expect(lastError?.message).toBe(
    'cannot subscribe to "orders": ERR max number of clients reached',
  );
  // PING still answers on the probe connection: only the pub/sub path is broken.
  expect(String(await admin.call('CLIENT', 'LIST', 'TYPE', 'normal'))).toContain(
    'name=redis-health-sidecar ',
  );

  await admin.config('SET', 'maxclients', '100');
  await waitFor('up again', async () => (await status()).up === true);
});
