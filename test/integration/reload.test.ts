import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import {
  runSidecar,
  stopAllSidecars,
  writeConfig,
  type SidecarProcess,
} from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

let a: RedisServer;
let b: RedisServer;
let c: RedisServer;
let dir: string;
let sidecar: SidecarProcess;
let base: string;
let version = 0;

/** Publishes a new config the way the kubelet updates a ConfigMap volume: a new folder, then an atomic swap of the `..data` symlink. */
function publish(yaml: string) {
  version += 1;
  const folder = `..v${version}`;
  mkdirSync(join(dir, folder));
  writeFileSync(join(dir, folder, 'config.yaml'), yaml);
  symlinkSync(folder, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
}

const config = (targets: string) => `listen: 127.0.0.1:0
defaults: { interval: 100ms, timeout: 90ms }
targets:
${targets}`;

const sidecarClients = async (server: RedisServer) =>
  String(await server.command('CLIENT', 'LIST'))
    .split('\n')
    .filter((line) => line.includes('name=redis-health-sidecar'))
    .map((line) => /id=(\d+)/.exec(line)?.[1]);

const metrics = async () => (await httpGet(`${base}/metrics`)).body;
const counter = (text: string, target: string) =>
  Number(
    new RegExp(`^redis_health_probes_total\\{target="${target}",result="ok"\\} (\\d+)`, 'm').exec(
      text,
    )?.[1],
  );
const targetNames = async () =>
  (
    JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ name: string; up: boolean }>;
    }
  ).targets;
const reloadLogs = () =>
  sidecar.logs().filter((line) => String(line.msg).startsWith('config reload'));

beforeAll(async () => {
  [a, b, c] = await Promise.all([startRedis(), startRedis(), startRedis()]);
  dir = join(writeConfig('') + '.d');
  mkdirSync(dir);
  publish(config(`  - { name: a, url: "${a.url}" }\n  - { name: b, url: "${b.url}" }\n`));
  symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));
  sidecar = runSidecar(['--config', join(dir, 'config.yaml')]);
  base = await sidecar.ready();
  await waitFor('both up', async () => (await targetNames()).every((target) => target.up));
}, 30_000);

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

test('a ConfigMap swap reloads: unchanged targets keep state and connection, removed ones go', async () => {
  const [connectionOfA] = await sidecarClients(a);
  const before = counter(await metrics(), 'a');
  publish(config(`  - { name: a, url: "${a.url}" }\n  - { name: c, url: "${c.url}" }\n`));

  await waitFor('c probed', async () =>
    (await targetNames()).some((target) => target.name === 'c' && target.up),
  );
  expect((await targetNames()).map((target) => target.name)).toEqual(['a', 'c']);
  const text = await metrics();
  expect(text).not.toContain('target="b"');
  expect(counter(text, 'a')).toBeGreaterThanOrEqual(before); // counters were not reset
  expect(await sidecarClients(a)).toEqual([connectionOfA]); // the same connection
  await waitFor('b disconnected', async () => (await sidecarClients(b)).length === 0);
  expect(text).toContain('redis_health_config_last_reload_successful 1');
  expect(reloadLogs().at(-1)).toMatchObject({
    msg: 'config reloaded',
    trigger: 'file change',
    targets: 2,
  });
}, 20_000);

test('an invalid config keeps the old one running and says so', async () => {
  const reloadsBefore = reloadLogs().length;
  publish(config(`  - { name: a, url: "${a.url}" }\n  - { name: c, url: "http://nope" }\n`));
  await waitFor('reload failure logged', () => reloadLogs().length > reloadsBefore);
  expect(reloadLogs().at(-1)).toMatchObject({
    msg: 'config reload failed: keeping the running config',
    level: 50,
    problems: [
      'config.yaml:5: targets[1].url: scheme http:// is not supported; use redis://, rediss://, valkey://, valkeys:// or unix://',
    ],
  });
  expect(await metrics()).toContain('redis_health_config_last_reload_successful 0');
  expect((await targetNames()).map((target) => target.name)).toEqual(['a', 'c']);
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
}, 20_000);

test('SIGHUP reloads too, and a good reload clears the failure', async () => {
  publish(config(`  - { name: a, url: "${a.url}" }\n`));
  await waitFor('only a', async () => (await targetNames()).length === 1);
  const stamp = () =>
    Number(/^redis_health_config_last_reload_success_timestamp_seconds (\S+)/m.exec(text)?.[1]);
  let text = await metrics();
  const first = stamp();
  expect(text).toContain('redis_health_config_last_reload_successful 1');
  sidecar.kill('SIGHUP');
  await waitFor('SIGHUP reload', () => reloadLogs().at(-1)?.trigger === 'SIGHUP');
  text = await metrics();
  expect(stamp()).toBeGreaterThan(first);
  expect(sidecar.child.exitCode).toBeNull();
}, 20_000);
