// Reasons that say what happened, against real servers: a port that is not Redis, a Redis
// stuck in a long script (BUSY), and one that refuses writes without replicas (NOREPLICAS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

interface TargetStatus {
  name: string;
  up: boolean | null;
  lastError: { reason: string; message: string } | null;
}

let web: Server;
let busy: RedisServer;
let lonely: RedisServer;
let base: string;

beforeAll(async () => {
  web = createServer((_, response) => response.end('hello'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const webPort = (web.address() as AddressInfo).port;
  [busy, lonely] = await Promise.all([
    startRedis({ args: ['--busy-reply-threshold', '100'] }),
    startRedis({ args: ['--min-replicas-to-write', '1'] }),
  ]);
  ({ base } = await startTestSidecar(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms }
targets:
  - { name: web, url: "redis://127.0.0.1:${webPort}/0", required: false }
  - { name: busy, url: "${busy.url}", required: false }
  - { name: lonely, url: "${lonely.url}", write: {}, required: false }
`));
});

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
  await new Promise((resolve) => web.close(resolve));
});

async function target(name: string): Promise<TargetStatus> {
  const status = JSON.parse((await httpGet(`${base}/status`)).body) as { targets: TargetStatus[] };
  const found = status.targets.find((item) => item.name === name);
  if (found === undefined) throw new Error(`no target ${name}`);
  return found;
}

async function lastErrorOf(name: string) {
  await waitFor(`${name} failing`, async () => (await target(name)).lastError !== null);
  return (await target(name)).lastError;
}

test('a port that does not speak RESP: reason protocol, naming what came back', async () => {
  expect(await lastErrorOf('web')).toEqual({
    reason: 'protocol',
    message: 'not a Redis reply: "HTTP/1.1 400 Bad Request"',
    at: expect.any(String),
  });
  const metrics = (await httpGet(`${base}/metrics`)).body;
  expect(metrics).toMatch(/redis_health_probes_total\{target="web",result="protocol"\} [1-9]/);
  expect(metrics).not.toContain("Stream isn't writeable");
});

test('a script running too long: reason busy, and Redis still counts as alive', async () => {
  await waitFor('busy up', async () => (await target('busy')).up === true);
  // Connected before the script starts: a new connection's ready check would meet BUSY too.
  const killer = new Redis({
    port: busy.port,
    lazyConnect: true,
    protocol: 2,
    disableClientInfo: true,
  });
  killer.on('error', () => undefined);
  await killer.connect();
  // Not awaited: it returns only once SCRIPT KILL stops it.
  const script = busy.command('EVAL', 'while true do end', '0').catch(() => undefined);
  try {
    await waitFor('busy failing', async () => (await target('busy')).lastError?.reason === 'busy');
    expect((await target('busy')).lastError?.message).toMatch(/^BUSY /);
    expect((await httpGet(`${base}/livez/busy`)).status).toBe(200);
  } finally {
    await killer.call('SCRIPT', 'KILL');
    killer.disconnect();
    await script;
  }
  await waitFor('busy up again', async () => (await target('busy')).up === true);
});

test('writes refused for want of replicas: reason noreplicas from the write canary', async () => {
  expect(await lastErrorOf('lonely')).toMatchObject({
    reason: 'noreplicas',
    message: expect.stringMatching(/^NOREPLICAS /),
  });
});
