import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import type { Target } from '../../src/config/types';
import { runProbe } from '../../src/probe/run-probe';
import type { ProbeResult } from '../../src/probe/result';
import { createConnection, type TargetConnection } from '../../src/redis/create-connection';
import { createSidecar } from '../../src/sidecar';
import { httpGet } from '../helpers/http';
import { createLogSink } from '../helpers/log-sink';

/** The part of /status this file reads. */
type StatusBody = { targets: Array<{ probes: number }> };
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { createTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { waitFor } from '../helpers/wait';

/** The least privilege the probe needs (README): PING, SELECT for db > 0, naming its connection. */
const PROBE_ACL = ['-@all', '+ping', '+info', '+select', '+client|setname'];

let redis: RedisServer;
let tlsRedis: RedisServer;
let mtlsRedis: RedisServer;
let certs: TestCertificates;
const connections: TargetConnection[] = [];

function target(yaml: string): Target {
  const config = parseConfig(
    `targets:\n  - name: t\n    timeout: 2s\n${yaml.replace(/^/gm, '    ')}\n`,
    {},
  );
  return config.targets[0] as Target;
}

function probeOnce(t: Target): { connection: TargetConnection; probe: () => Promise<ProbeResult> } {
  const connection = createConnection(t);
  connections.push(connection);
  return { connection, probe: () => runProbe(connection, t.timeoutMs) };
}

beforeAll(async () => {
  certs = createTestCertificates();
  [redis, tlsRedis, mtlsRedis] = await Promise.all([
    startRedis({ password: 'default-secret' }),
    startRedis({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, authClients: false },
    }),
    startRedis({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, authClients: true },
    }),
  ]);
});

afterEach(() => {
  for (const connection of connections.splice(0)) connection.drop();
});

afterAll(async () => {
  await stopAllRedis();
  certs.remove();
});

const adminCommand = (...args: string[]) => redis.command(...args);

describe('passwords and ACL users', () => {
  test('password in the URL', async () => {
    const { probe } = probeOnce(target(`url: redis://:default-secret@127.0.0.1:${redis.port}/0`));
    expect(await probe()).toMatchObject({ ok: true });
  });

  test('no password where one is required → auth', async () => {
    const { probe } = probeOnce(target(`url: redis://127.0.0.1:${redis.port}/0`));
    expect(await probe()).toMatchObject({
      ok: false,
      reason: 'auth',
      message: expect.stringMatching(/^NOAUTH/),
    });
  });

  test('wrong password → auth, and the password appears nowhere in the result', async () => {
    const { probe } = probeOnce(target(`url: redis://:not-the-secret@127.0.0.1:${redis.port}/0`));
    const result = await probe();
    expect(result).toMatchObject({ ok: false, reason: 'auth' });
    expect(JSON.stringify(result)).not.toContain('not-the-secret');
  });

  test('a least-privilege ACL user probes db 2', async () => {
    await adminCommand('ACL', 'SETUSER', 'health', 'on', '>health-pw', ...PROBE_ACL);
    const { probe } = probeOnce(
      target(`url: redis://127.0.0.1:${redis.port}/2\nusername: health\npassword: health-pw`),
    );
    expect(await probe()).toMatchObject({ ok: true });
  });

  test('a disabled ACL user → auth', async () => {
    await adminCommand('ACL', 'SETUSER', 'disabled-user', 'off', '>pw', ...PROBE_ACL);
    const { probe } = probeOnce(target(`url: redis://disabled-user:pw@127.0.0.1:${redis.port}/0`));
    expect(await probe()).toMatchObject({
      ok: false,
      reason: 'auth',
      message: expect.stringMatching(/^WRONGPASS/),
    });
  });

  test('passwordFile rotation: after the server password changes and the connection drops, the new file is used', async () => {
    const file = join(certs.dir, 'password');
    writeFileSync(file, 'first-pw\n');
    await adminCommand('ACL', 'SETUSER', 'rotating', 'on', 'resetpass', '>first-pw', ...PROBE_ACL);
    const { probe } = probeOnce(
      target(`url: redis://127.0.0.1:${redis.port}/0\nusername: rotating\npasswordFile: ${file}`),
    );
    expect(await probe()).toMatchObject({ ok: true });

    // Rotate on the server and cut the connection, as a password change would.
    await adminCommand('ACL', 'SETUSER', 'rotating', 'resetpass', '>second-pw');
    await adminCommand('CLIENT', 'KILL', 'USER', 'rotating');
    // Probes sent before the client has seen the socket close fail as `closed`; real probes
    // are an interval apart, so give the close event a moment, then one reconnects and is
    // refused with the old password.
    let refused = await probe();
    for (let i = 0; i < 5 && !refused.ok && refused.reason === 'closed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = await probe();
    }
    expect(refused).toMatchObject({ ok: false, reason: 'auth' });

    writeFileSync(file, 'second-pw\n'); // the Secret volume is updated
    expect(await probe()).toMatchObject({ ok: true });
  });

  test('an unreadable passwordFile at run time → auth with a clear message', async () => {
    const file = join(certs.dir, 'vanishing');
    writeFileSync(file, 'x');
    const t = target(`url: redis://127.0.0.1:${redis.port}/0\npasswordFile: ${file}`);
    writeFileSync(file, '');
    const { probe } = probeOnce({ ...t, passwordFile: join(certs.dir, 'gone') });
    expect(await probe()).toEqual({
      ok: false,
      reason: 'auth',
      message: 'cannot read passwordFile (ENOENT)',
    });
  });
});

describe('TLS', () => {
  const url = (server: RedisServer, host = 'localhost') =>
    `url: rediss://${host}:${server.tlsPort ?? 0}/0`;

  test('rediss:// with the CA → ok, timed from the write to the socket to the reply', async () => {
    const { connection, probe } = probeOnce(target(`${url(tlsRedis)}\ntls: { ca: ${certs.ca} }`));
    expect(await probe()).toMatchObject({ ok: true });
    const written = connection.lastWriteAt?.() ?? 0n;
    const arrived = connection.lastDataAt?.() ?? 0n;
    expect(written).toBeGreaterThan(0n);
    expect(arrived).toBeGreaterThan(written);
  });

  test('untrusted server certificate → tls', async () => {
    const { probe } = probeOnce(target(`${url(tlsRedis)}\ntls: { ca: ${certs.otherCa} }`));
    expect(await probe()).toMatchObject({ ok: false, reason: 'tls' });
  });

  test('server name that the certificate does not cover → tls; serverName fixes it', async () => {
    const wrong = probeOnce(
      target(`${url(tlsRedis)}\ntls: { ca: ${certs.ca}, serverName: cache.example }`),
    );
    expect(await wrong.probe()).toMatchObject({
      ok: false,
      reason: 'tls',
      message: expect.stringContaining('altnames'),
    });
    const right = probeOnce(
      target(`${url(tlsRedis, '127.0.0.1')}\ntls: { ca: ${certs.ca}, serverName: localhost }`),
    );
    expect(await right.probe()).toMatchObject({ ok: true });
  });

  test('rejectUnauthorized: false accepts an untrusted certificate', async () => {
    const { probe } = probeOnce(target(`${url(tlsRedis)}\ntls: { rejectUnauthorized: false }`));
    expect(await probe()).toMatchObject({ ok: true });
  });

  test('mutual TLS: without a client certificate the probe fails; with one it succeeds', async () => {
    const without = probeOnce(target(`${url(mtlsRedis)}\ntls: { ca: ${certs.ca} }`));
    expect(await without.probe()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^(tls|closed)$/),
    });
    const withCert = probeOnce(
      target(
        `${url(mtlsRedis)}\ntls: { ca: ${certs.ca}, cert: ${certs.clientCert}, key: ${certs.clientKey} }`,
      ),
    );
    expect(await withCert.probe()).toMatchObject({ ok: true });
  });

  test('certificate files are read at each connect: a replaced CA file takes effect', async () => {
    const ca = join(certs.dir, 'rotating-ca.crt');
    writeFileSync(ca, readFileSync(certs.otherCa));
    const { connection, probe } = probeOnce(target(`${url(tlsRedis)}\ntls: { ca: ${ca} }`));
    expect(await probe()).toMatchObject({ ok: false, reason: 'tls' });
    writeFileSync(ca, readFileSync(certs.ca));
    connection.drop();
    expect(await probe()).toMatchObject({ ok: true });
  });
});

describe('secrets never leave the process', () => {
  test('passwords set every supported way appear in no log line and no endpoint', async () => {
    const file = join(certs.dir, 'secret-file');
    writeFileSync(file, 'file-secret-4\n');
    await adminCommand(
      'ACL',
      'SETUSER',
      'filed',
      'on',
      'resetpass',
      '>file-secret-4',
      ...PROBE_ACL,
    );
    await adminCommand('ACL', 'SETUSER', 'keyed', 'on', 'resetpass', '>key-secret-3', ...PROBE_ACL);
    const secrets = ['default-secret', 'wrong-secret-2', 'key-secret-3', 'file-secret-4'];
    const config = parseConfig(
      `
listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms }
targets:
  - { name: in-url, url: "redis://:default-secret@127.0.0.1:${redis.port}/0" }
  - { name: wrong, url: "redis://:wrong-secret-2@127.0.0.1:${redis.port}/0" }
  - { name: keyed, url: "redis://127.0.0.1:${redis.port}/1", username: keyed, password: key-secret-3 }
  - { name: filed, url: "redis://127.0.0.1:${redis.port}/0", username: filed, passwordFile: ${file} }
`,
      {},
    );
    const sink = createLogSink('trace');
    const sidecar = createSidecar(config, sink.logger);
    const server = await sidecar.start();
    const base = `http://127.0.0.1:${server.address.port}`;
    try {
      await waitFor('first probes', async () =>
        (JSON.parse((await httpGet(`${base}/status`)).body) as StatusBody).targets.every(
          (t) => t.probes > 0,
        ),
      );
      const outputs = [
        sink.text(),
        ...(await Promise.all(
          ['/status', '/metrics', '/readyz?verbose', '/readyz/wrong', '/healthz'].map(
            async (path) => (await httpGet(`${base}${path}`)).body,
          ),
        )),
        (await httpGet(`${base}/readyz`, { headers: { Accept: 'application/json' } })).body,
      ];
      const status = JSON.parse(outputs[1] as string) as {
        targets: Array<{ name: string; up: boolean; lastError: { reason: string } | null }>;
      };
      expect(status.targets.map((t) => [t.name, t.up, t.lastError?.reason ?? null])).toEqual([
        ['in-url', true, null],
        ['wrong', false, 'auth'],
        ['keyed', true, null],
        ['filed', true, null],
      ]);
      for (const secret of secrets) {
        for (const output of outputs) expect(output).not.toContain(secret);
      }
    } finally {
      await sidecar.stop();
    }
  });
});
