import { parseConfig } from '../../src/config/load';
import type { Target } from '../../src/config/types';
import { runProbe } from '../../src/probe/run-probe';
import { createConnection } from '../../src/redis/create-connection';
import { httpGet } from '../helpers/http';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { createTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { waitFor } from '../helpers/wait';

let master: RedisServer;
let replica: RedisServer;
let sentinel: RedisServer;
let base: string;

const info = async (server: RedisServer, section: string) =>
  String(await server.command('INFO', section));

beforeAll(async () => {
  master = await startRedis();
  replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  await waitFor('replica in sync', async () =>
    /master_link_status:up/.test(await info(replica, 'replication')),
  );
  sentinel = await startRedis({
    sentinelOf: { masterName: 'mymaster', host: '127.0.0.1', port: master.port },
  });
  // Known is not enough to fail over to it (NOGOODSLAVE): the sentinel must have read the
  // replica's own INFO and seen its link to the master up.
  await waitFor(
    'sentinel to see the replica fit for a failover',
    async () => {
      const replicas = (await sentinel.command('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      return replicas.some((fields) => {
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        return (
          field('flags') === 'slave' &&
          field('master-link-status') === 'ok' &&
          Number(field('info-refresh')) < 10_000
        );
      });
    },
    { timeoutMs: 30_000 },
  );
  ({ base } = await startTestSidecar(
    `
listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, breaker: { failureThreshold: 3, recoveryTimeout: 1s } }
targets:
  - name: sessions
    sentinel: { masterName: mymaster, sentinels: ["127.0.0.1:${sentinel.port}"] }
    db: 2
`,
  ));
}, 60_000);

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

const targetStatus = async () =>
  (
    JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ address: string; up: boolean; mode: string }>;
    }
  ).targets[0];

test('probes the current master and shows its address', async () => {
  await waitFor('up', async () => (await targetStatus())?.up === true);
  expect(await targetStatus()).toMatchObject({
    mode: 'sentinel',
    address: `127.0.0.1:${master.port}`,
  });
  expect((await httpGet(`${base}/metrics`)).body).toContain(
    `redis_health_target_info{target="sessions",address="127.0.0.1:${master.port}",db="2",mode="sentinel",required="true"} 1`,
  );
});

test('follows a failover to the new master', async () => {
  await waitFor('up', async () => (await targetStatus())?.up === true);
  const started = performance.now();
  await sentinel.command('SENTINEL', 'FAILOVER', 'mymaster');
  const moved = await waitFor(
    'target up on the new master',
    async () => {
      const status = await targetStatus();
      return status?.up === true && status.address === `127.0.0.1:${replica.port}`;
    },
    { timeoutMs: 20_000 },
  );
  console.log(`sentinel failover followed in ${moved.toFixed(0)} ms (from SENTINEL FAILOVER)`);
  expect(performance.now() - started).toBeLessThan(20_000);
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
  expect((await httpGet(`${base}/metrics`)).body).toContain(`address="127.0.0.1:${replica.port}"`);
}, 30_000);

function sentinelTarget(sentinels: string, masterName = 'mymaster'): Target {
  return parseConfig(
    `targets:\n  - name: s\n    timeout: 1s\n    sentinel: { masterName: ${masterName}, sentinels: [${sentinels}] }\n`,
    {},
  ).targets[0] as Target;
}

test('no sentinel reachable is a clear failure', async () => {
  const connection = createConnection(sentinelTarget('"127.0.0.1:1"'));
  const result = await runProbe(connection, 1000);
  connection.drop();
  console.log(`no sentinel: ${JSON.stringify(result)}`);
  expect(result).toMatchObject({
    ok: false,
    reason: 'refused',
    message: expect.stringMatching(/^no sentinel reachable \(tried 1\): 127\.0\.0\.1:1 because /),
  });
});

test('an unknown master name is a clear failure', async () => {
  const connection = createConnection(
    sentinelTarget(`"127.0.0.1:${sentinel.port}"`, 'nosuchmaster'),
  );
  const result = await runProbe(connection, 1000);
  connection.drop();
  console.log(`unknown master: ${JSON.stringify(result)}`);
  expect(result).toMatchObject({
    ok: false,
    reason: 'error',
    message: 'no sentinel knows master "nosuchmaster" (asked 1)',
  });
});

test('a sentinel that refuses the password is an auth failure, not an unreachable one', async () => {
  const guarded = await startRedis({
    sentinelOf: { masterName: 'mymaster', host: '127.0.0.1', port: master.port },
    password: 'sentinel-secret',
  });
  const probe = async (password: string) => {
    const connection = createConnection(
      parseConfig(
        `targets:\n  - name: s\n    timeout: 1s\n    sentinel: { masterName: mymaster, sentinels: ["127.0.0.1:${guarded.port}"], password: ${password} }\n`,
        {},
      ).targets[0] as Target,
    );
    try {
      return await runProbe(connection, 1000);
    } finally {
      connection.drop();
    }
  };
  const wrong = await probe('not-the-password');
  console.log(`wrong sentinel password: ${JSON.stringify(wrong)}`);
  expect(wrong).toMatchObject({
    ok: false,
    reason: 'auth',
    message: expect.stringMatching(
      /^no sentinel accepted the credentials \(tried 1\): .*WRONGPASS/,
    ),
  });
  expect(JSON.stringify(wrong)).not.toContain('not-the-password');
  expect(await probe('sentinel-secret')).toMatchObject({ ok: true });
});

describe('over TLS', () => {
  let certs: TestCertificates;

  beforeAll(() => {
    certs = createTestCertificates();
  });

  afterAll(() => certs?.remove());

  test('reaches the sentinels and the master over TLS, with the CA of each', async () => {
    const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, authClients: false };
    const tlsMaster = await startRedis({ tls });
    const tlsSentinel = await startRedis({
      tls,
      sentinelOf: { masterName: 'securemaster', host: '127.0.0.1', port: tlsMaster.tlsPort ?? 0 },
    });
    const target = (sentinelTls: string, masterTls: string) =>
      parseConfig(
        `targets:
  - name: s
    timeout: 1s
    sentinel:
      masterName: securemaster
      sentinels: ["127.0.0.1:${tlsSentinel.tlsPort ?? 0}"]
      ${sentinelTls}
    ${masterTls}
`,
        {},
      ).targets[0] as Target;
    const probe = async (t: Target) => {
      const connection = createConnection(t);
      try {
        return { result: await runProbe(connection, 1000), address: connection.address() };
      } finally {
        connection.drop();
      }
    };

    const both = await probe(target(`tls: { ca: ${certs.ca} }`, `tls: { ca: ${certs.ca} }`));
    expect(both).toEqual({
      result: { ok: true, seconds: expect.any(Number) as number },
      address: `127.0.0.1:${tlsMaster.tlsPort ?? 0}`,
    });
    // The sentinel's TLS settings do not carry over to the master: each trusts its own CA.
    const masterUntrusted = await probe(
      target(`tls: { ca: ${certs.ca} }`, `tls: { ca: ${certs.otherCa} }`),
    );
    expect(masterUntrusted.result).toMatchObject({ ok: false, reason: 'tls' });
    const plainSentinel = await probe(target('', `tls: { ca: ${certs.ca} }`));
    console.log(`plain connection to a TLS sentinel: ${JSON.stringify(plainSentinel.result)}`);
    expect(plainSentinel.result).toMatchObject({ ok: false });
  }, 30_000);
});
