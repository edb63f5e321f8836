// Passwords configured every way the sidecar accepts them, right and wrong, then every output
// searched for them: logs at debug level, every endpoint, the check and validate commands.
import bcrypt from 'bcryptjs';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import {
  runSidecar,
  stopAllSidecars,
  writeConfig,
  type SidecarProcess,
} from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

const SECRETS = {
  urlPassword: 'url-secret-1-Zq',
  urlUserPassword: 'url-secret-2-Zq',
  keyPassword: 'key-secret-3-Zq',
  envPassword: 'env-secret-4-Zq',
  filePassword: 'file-secret-5-Zq',
  sentinelPassword: 'sentinel-secret-6-Zq',
  wrongPassword: 'wrong-secret-7-Zq',
  bearerToken: 'bearer-token-secret-8-Zq',
  basicPassword: 'basic-secret-9-Zq',
  badUrlPassword: 'bad-url-secret-10-Zq',
  // Sent to a Redis that echoes what it is sent (AUTH renamed away).
  echoUser: 'echo-user-11-Zq',
  echoPassword: 'echo-secret-12-Zq',
  echoFilePassword: 'echo-file-secret-13-Zq',
};
const BEARER = { Authorization: `Bearer ${SECRETS.bearerToken}` };
const BASIC = {
  Authorization: `Basic ${Buffer.from(`prometheus:${SECRETS.basicPassword}`).toString('base64')}`,
};

let redis: RedisServer;
let echoing: RedisServer;
let sidecar: SidecarProcess;
let base: string;
let config: string;
const outputs: Array<{ where: string; text: string }> = [];

const env = { LOG_LEVEL: 'debug', REDIS_SECRET: SECRETS.envPassword };

beforeAll(async () => {
  redis = await startRedis({ processOnly: true, password: SECRETS.urlPassword });
  for (const [user, password] of [
    ['u2', SECRETS.urlUserPassword],
    ['u3', SECRETS.keyPassword],
    ['u4', SECRETS.envPassword],
    ['u5', SECRETS.filePassword],
  ]) {
    await redis.command('ACL', 'SETUSER', user!, 'on', `>${password!}`, '+@all', '~*');
  }
  // `ERR unknown command 'auth', with args beginning with: 'user' 'password'`.
  echoing = await startRedis({ processOnly: true, args: ['--rename-command', 'AUTH', ''] });
  const passwordFile = writeConfig(`${SECRETS.filePassword}\n`);
  const echoFile = writeConfig(`${SECRETS.echoFilePassword}\n`);
  const hash = bcrypt.hashSync(SECRETS.basicPassword, 4);
  const port = redis.port;
  config = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, infoInterval: 200ms }
http:
  auth:
    basic: { username: prometheus, passwordHash: '${hash}' }
    bearerToken: ${SECRETS.bearerToken}
targets:
  - { name: url, url: 'redis://:${SECRETS.urlPassword}@127.0.0.1:${port}/0' }
  - { name: url-user, url: 'redis://u2:${SECRETS.urlUserPassword}@127.0.0.1:${port}/1' }
  - { name: key, url: 'redis://127.0.0.1:${port}/2', username: u3, password: ${SECRETS.keyPassword} }
  - { name: env, url: 'redis://127.0.0.1:${port}/3', username: u4, password: '\${REDIS_SECRET}' }
  - { name: file, url: 'redis://127.0.0.1:${port}/4', username: u5, passwordFile: ${passwordFile} }
  - name: wrong
    url: 'redis://127.0.0.1:${port}/5'
    username: u3
    password: ${SECRETS.wrongPassword}
    required: false
  - name: wrong-url
    url: 'redis://u2:${SECRETS.wrongPassword}@127.0.0.1:${port}/6'
    required: false
  - name: sentinel
    sentinel: { masterName: mymaster, sentinels: ['127.0.0.1:1'], password: ${SECRETS.sentinelPassword} }
    password: ${SECRETS.keyPassword}
    required: false
  - name: echo
    url: 'redis://${SECRETS.echoUser}:${SECRETS.echoPassword}@127.0.0.1:${echoing.port}/0'
    required: false
  - { name: echo-file, url: 'redis://127.0.0.1:${echoing.port}/1', passwordFile: ${echoFile}, required: false }
`);
  sidecar = runSidecar(['--config', config], env);
  base = await sidecar.ready();
  const statuses = async () =>
    (
      JSON.parse((await httpGet(`${base}/status`, { headers: BEARER })).body) as {
        targets: Array<{ name: string; up: boolean | null; server?: unknown }>;
      }
    ).targets;
  await waitFor('every target probed, INFO read where it answers', async () => {
    const targets = await statuses();
    const byName = Object.fromEntries(targets.map((target) => [target.name, target]));
    return (
      ['url', 'url-user', 'key', 'env', 'file'].every((name) => byName[name]?.server != null) &&
      ['wrong', 'wrong-url', 'sentinel', 'echo', 'echo-file'].every(
        (name) => byName[name]?.up === false,
      )
    );
  });

  const get = async (path: string, headers: Record<string, string> = BEARER) => {
    const reply = await httpGet(`${base}${path}`, { headers });
    outputs.push({
      where: `GET ${path} (${reply.status})`,
      text: `${JSON.stringify(reply.headers)}\n${reply.body}`,
    });
  };
  const paths = ['/metrics', '/status', '/status?history=1', '/', '/healthz', '/readyz'];
  for (const path of [...paths, '/readyz?verbose']) await get(path);
  await get('/readyz?verbose', { ...BEARER, Accept: 'application/json' });
  await get('/readyz', { ...BEARER, Accept: 'application/health+json' });
  await get('/metrics', { ...BASIC, Accept: 'application/openmetrics-text; version=1.0.0' });
  await get('/status', {}); // refused: what does a 401 say?
  await get('/status', { Authorization: 'Bearer not-the-token-at-all' });
  const names = ['url', 'url-user', 'key', 'env', 'file', 'wrong', 'wrong-url', 'sentinel'];
  for (const name of [...names, 'echo', 'echo-file']) {
    await get(`/probe?target=${name}`);
    await get(`/readyz/${name}`);
    await get(`/livez/${name}`);
  }

  const check = runSidecar(['check', '--config', config], env);
  await check.exit();
  outputs.push({ where: 'check', text: check.stdout() + check.stderr() });

  // Broken files that hold secrets: the problems are reported, the secrets are not. (Key
  // problems are found before URL problems, so each kind has its own file.)
  const brokenKeys = writeConfig(`targets:
  - { name: c, url: 'redis://h/0', password: ${SECRETS.keyPassword}, passwordFile: /x }
  - { name: d, url: 'redis://h/0', password: 12345, colour: ${SECRETS.keyPassword} }
`);
  const brokenUrls = writeConfig(`targets:
  - { name: a, url: 'http://user:${SECRETS.badUrlPassword}@host:6379/0' }
  - { name: b, url: 'redis://:${SECRETS.badUrlPassword}@host:99999/0' }
  - { name: e, url: 'redis://:${SECRETS.badUrlPassword}@host:6379/x' }
`);
  for (const [command, file] of [
    ['validate', brokenKeys],
    ['validate', brokenUrls],
    ['serve', brokenUrls],
    ['check', brokenUrls],
  ] as const) {
    const run = runSidecar([command, '--config', file], env);
    await run.exit();
    outputs.push({ where: `${command} ${file}`, text: run.stdout() + run.stderr() });
  }

  sidecar.kill('SIGTERM');
  await sidecar.exit();
  outputs.push({
    where: 'serve logs (debug) and stderr',
    text: sidecar.stdout() + sidecar.stderr(),
  });
}, 60_000);

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

test('the outputs are real: debug logs, every endpoint, check and validate all said something', () => {
  const logs = outputs.find((output) => output.where.startsWith('serve logs'))!.text;
  expect(logs).toContain('"level":20'); // debug lines are there
  expect(logs).toMatch(/probe failed/);
  const refusals = outputs
    .filter((output) => output.where.startsWith('validate'))
    .map((o) => o.text);
  expect(refusals.join('')).toMatch(/targets\[0\]\.url.*\n.*targets\[1\]\.url/);
  expect(refusals.join('')).toContain('targets[1].colour: unknown key');
  expect(outputs.find((output) => output.where === 'check')!.text).toMatch(/wrong\s.*auth/);
  // The echoing Redis did echo: what it said is there, without what was sent to it.
  expect(outputs.find((output) => output.where === 'check')!.text).toMatch(
    /echo\s.*unknown command 'auth', with args beginning with: '\*\*\*' '\*\*\*'/,
  );
  expect(outputs.length).toBeGreaterThan(30);
});

test.each(Object.entries(SECRETS))('%s appears in no output', (_, secret) => {
  const leaks = outputs
    .filter((output) => output.text.includes(secret))
    .map((output) => output.where);
  expect(leaks).toEqual([]);
});
