import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';
import { createTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { waitFor } from '../helpers/wait';

let redis: RedisServer;
let certs: TestCertificates;

beforeAll(async () => {
  redis = await startRedis();
  certs = createTestCertificates();
});

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
  certs?.remove();
});

/** One HTTPS request trusting the test CA. */
function httpsGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { ca: readFileSync(certs.ca), headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** The SHA-256 fingerprint of the certificate the server presents now. */
function fingerprint(port: number) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function startSecure(http: string) {
  const file = writeConfig(`listen: 127.0.0.1:0
http:
${http}
targets:
  - { name: main, url: "${redis.url}", interval: 200ms, timeout: 150ms }
`);
  const sidecar = runSidecar(['--config', file]);
  // ready() reads the port from the start-up log line; the server speaks TLS on it.
  const base = (await sidecar.ready()).replace(/^http:/, 'https:');
  return { base, port: Number(base.split(':').pop()) };
}

describe('TLS and basic auth', () => {
  let base: string;
  let port: number;
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    const hash = bcrypt.hashSync('s3cret-pass', 6);
    certFile = join(certs.dir, 'http.crt');
    keyFile = join(certs.dir, 'http.key');
    copyFileSync(certs.serverCert, certFile);
    copyFileSync(certs.serverKey, keyFile);
    ({ base, port } = await startSecure(
      `  tls: { cert: ${certFile}, key: ${keyFile} }\n  auth: { basic: { username: prometheus, passwordHash: "${hash}" } }`,
    ));
  });

  test('health endpoints stay open for the kubelet', async () => {
    expect((await httpsGet(`${base}/healthz`)).status).toBe(200);
    await waitFor('ready', async () => (await httpsGet(`${base}/readyz`)).status === 200);
    expect((await httpsGet(`${base}/readyz/main`)).status).toBe(200);
    expect((await httpsGet(`${base}/livez/main`)).status).toBe(200);
  });

  test.each(['/metrics', '/status', '/probe?target=main'])(
    '%s needs the password, and a 401 does not say what was wrong',
    async (path) => {
      const answers = await Promise.all(
        [undefined, basic('prometheus', 'wrong'), basic('someone', 's3cret-pass'), 'Bearer x'].map(
          (header) =>
            httpsGet(`${base}${path}`, header === undefined ? {} : { Authorization: header }),
        ),
      );
      for (const answer of answers) {
        expect([answer.status, answer.body]).toEqual([401, 'unauthorized\n']);
        expect(answer.headers['www-authenticate']).toBe('Basic realm="redis-health-sidecar"');
      }
      const ok = await httpsGet(`${base}${path}`, {
        Authorization: basic('prometheus', 's3cret-pass'),
      });
      expect(ok.status).toBe(200);
    },
  );

  test('a renewed certificate is served without a restart', async () => {
    const before = await fingerprint(port);
    copyFileSync(certs.clientCert, certFile);
    copyFileSync(certs.clientKey, keyFile);
    const took = await waitFor(
      'new certificate',
      async () => (await fingerprint(port)) !== before,
      {
        timeoutMs: 10_000,
        everyMs: 200,
      },
    );
    console.log(`HTTP TLS certificate reloaded after ${took.toFixed(0)} ms`);
  }, 15_000);
});

describe('bearer token from a file', () => {
  test('the token in the file is accepted, and a rotated one replaces it', async () => {
    const tokenFile = join(certs.dir, 'token');
    writeFileSync(tokenFile, 'first-token-0123456789\n');
    const file = writeConfig(`listen: 127.0.0.1:0
http: { auth: { bearerTokenFile: ${tokenFile} } }
targets: [{ name: main, url: "${redis.url}" }]
`);
    const sidecar = runSidecar(['--config', file]);
    const base = await sidecar.ready();
    const get = async (token: string) =>
      (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status;
    expect(await get('first-token-0123456789')).toBe(200);
    expect(await get('first-token-012345678')).toBe(401);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    writeFileSync(tokenFile, 'second-token-0123456789\n');
    await waitFor(
      'rotated token accepted',
      async () => (await get('second-token-0123456789')) === 200,
    );
    expect(await get('first-token-0123456789')).toBe(401);
  });
});
