// The fresh-connection check against real servers: what a long-lived connection answering PONG
// cannot see (maxclients full, a changed password, a disabled ACL user, certificates about to
// expire), each shown failing and recovering while the probe connection stays up.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { createChainCertificates, type ChainCertificates } from '../helpers/tls-certs';
import { waitFor } from '../helpers/wait';

const PROBE_ACL = ['-@all', '+ping', '+info', '+select', '+client|setname', '+quit'];

let full: RedisServer;
let rotated: RedisServer;
let acl: RedisServer;
let secure: RedisServer;
let certs: ChainCertificates;
let base: string;
const fillers: Redis[] = [];

beforeAll(async () => {
  certs = createChainCertificates();
  [full, rotated, acl, secure] = await Promise.all([
    // The sidecar's probe connection is the only client until the test fills the rest.
    startRedis({ args: ['--maxclients', '3'] }),
    startRedis({ password: 'old-secret' }),
    startRedis(),
    startRedis({
      tls: { cert: certs.serverChain, key: certs.serverKey, ca: certs.ca, authClients: false },
    }),
  ]);
  await acl.command('ACL', 'SETUSER', 'app', 'on', '>app-pw', ...PROBE_ACL);
  ({ base } = await startTestSidecar(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, connectCheck: 400ms }
targets:
  - { name: full, url: "${full.url}", required: false }
  - { name: rotated, url: "redis://:old-secret@127.0.0.1:${rotated.port}/0", required: false }
  - { name: acl, url: "redis://app:app-pw@127.0.0.1:${acl.port}/0", required: false }
  - name: secure
    url: "rediss://localhost:${secure.tlsPort}/0"
    tls: { ca: ${certs.ca} }
    required: false
`));
});

afterAll(async () => {
  fillers.forEach((client) => client.disconnect());
  await stopTestSidecars();
  await stopAllRedis();
  certs.remove();
});

interface Status {
  name: string;
  up: boolean | null;
  ready: boolean;
  readiness: string;
  connectCheck: { ok?: boolean; reason?: string; message?: string; at: string | null };
  certificate: { subject: string; notAfter: string; daysLeft: number } | null;
}

async function statusOf(name: string): Promise<Status> {
  const body = JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Status[] };
  const found = body.targets.find((item) => item.name === name);
  if (found === undefined) throw new Error(`no target ${name}`);
  return found;
}

async function metric(line: string): Promise<string | undefined> {
  const text = (await httpGet(`${base}/metrics`)).body;
  return text.split('\n').find((item) => item.startsWith(line));
}

/** Waits for the connect check of `name` to fail, then returns the /readyz?verbose line. */
async function failingCheck(name: string): Promise<string> {
  await waitFor(`${name}: connect check failing`, async () => {
    return (await statusOf(name)).connectCheck.ok === false;
  });
  const verbose = (await httpGet(`${base}/readyz?verbose`)).body;
  return verbose.split('\n').find((line) => line.includes(`target:${name} `)) ?? '';
}

async function recovered(name: string): Promise<void> {
  await waitFor(`${name}: connect check passing again`, async () => {
    const status = await statusOf(name);
    return status.connectCheck.ok === true && status.ready;
  });
}

test('maxclients reached: the probe connection answers PONG, a new one is refused', async () => {
  await waitFor('full: probed', async () => (await statusOf('full')).up === true);
  // With the sidecar's connection, two more fill maxclients 3.
  for (let index = 0; index < 2; index += 1) {
    const client = new Redis(full.port, '127.0.0.1', { lazyConnect: true });
    fillers.push(client);
    await client.connect();
    await client.ping();
  }
  expect(await failingCheck('full')).toBe(
    '[-]target:full failed: connect: error: ERR max number of clients reached (not required)',
  );
  const status = await statusOf('full');
  expect(status).toMatchObject({ up: true, ready: false });
  expect(await metric('redis_health_check_ok{target="full",check="connect"}')).toMatch(/ 0$/);
  expect(await metric('redis_health_up{target="full"}')).toMatch(/ 1$/);

  fillers.splice(0).forEach((client) => client.disconnect());
  await recovered('full');
  expect(await metric('redis_health_check_ok{target="full",check="connect"}')).toMatch(/ 1$/);
});

test('the server password changed without CLIENT KILL: auth fails on a new connection only', async () => {
  await waitFor('rotated: ready', async () => (await statusOf('rotated')).ready);
  await rotated.command('CONFIG', 'SET', 'requirepass', 'new-secret');
  const line = await failingCheck('rotated');
  expect(line).toMatch(/^\[-\]target:rotated failed: connect: auth: WRONGPASS/);
  expect(line).not.toContain('secret');
  expect((await statusOf('rotated')).up).toBe(true);

  const admin = new Redis(rotated.port, '127.0.0.1', { password: 'new-secret' });
  await admin.config('SET', 'requirepass', 'old-secret');
  admin.disconnect();
  await recovered('rotated');
});

test('the ACL user disabled: a new connection is refused', async () => {
  await waitFor('acl: ready', async () => (await statusOf('acl')).ready);
  await acl.command('ACL', 'SETUSER', 'app', 'off');
  expect(await failingCheck('acl')).toMatch(/^\[-\]target:acl failed: connect: auth: WRONGPASS/);

  await acl.command('ACL', 'SETUSER', 'app', 'on');
  await recovered('acl');
});

test('TLS: the earliest expiry of the presented certificates, the intermediate, not the trusted root', async () => {
  const notAfter = (file: string) => Date.parse(new X509Certificate(readFileSync(file)).validTo);
  const intermediate = notAfter(`${certs.dir}/intermediate.crt`);
  expect(notAfter(certs.ca)).toBeLessThan(intermediate); // the root expires first, and is left out
  expect(notAfter(`${certs.dir}/localhost.crt`)).toBeGreaterThan(intermediate);

  await waitFor('secure: ready', async () => (await statusOf('secure')).ready);
  expect(await metric('redis_health_tls_cert_not_after_timestamp_seconds{target="secure"}')).toBe(
    `redis_health_tls_cert_not_after_timestamp_seconds{target="secure"} ${intermediate / 1000}`,
  );
  const { certificate } = await statusOf('secure');
  expect(certificate).toMatchObject({
    subject: 'intermediate',
    notAfter: new Date(intermediate).toISOString(),
  });
  expect(certificate?.daysLeft).toBeGreaterThan(2.9);
  expect(certificate?.daysLeft).toBeLessThanOrEqual(3);
  expect((await httpGet(`${base}/`)).body).toMatch(/certificate intermediate expires in 3\.0 days/);
  // Plain targets have no certificate series.
  expect(await metric('redis_health_tls_cert_not_after_timestamp_seconds{target="full"}')).toBe(
    undefined,
  );
});
