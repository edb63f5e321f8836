// Target files against a running sidecar process: a team's file added, changed and broken while
// the sidecar watches. A broken file keeps its targets and says which file and line; the config
// reload gauge goes to 0 until it is fixed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import {
  runSidecar,
  stopAllSidecars,
  writeConfig,
  type SidecarProcess,
} from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

let redis: RedisServer;
let teams: string;
let sidecar: SidecarProcess;
let base: string;

const list = (names: string[]) =>
  names.map((name) => `- { name: ${name}, url: "${redis.url}", labels: { team: t } }`).join('\n');
const names = async () =>
  (
    JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Array<{ name: string }> }
  ).targets
    .map((target) => target.name)
    .sort();
const reloadOk = async () =>
  /^redis_health_config_last_reload_successful 1$/m.test((await httpGet(`${base}/metrics`)).body);

beforeAll(async () => {
  redis = await startRedis();
  const config = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms }
targetFiles: ["teams/*.yaml"]
`);
  teams = join(dirname(config), 'teams');
  mkdirSync(teams);
  writeFileSync(join(teams, 'payments.yaml'), list(['payments-main', 'payments-cache']));
  sidecar = runSidecar(['--config', config]);
  base = await sidecar.ready();
});

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

test('targets from the files at start, with their labels', async () => {
  expect(await names()).toEqual(['payments-cache', 'payments-main']);
  expect((await httpGet(`${base}/metrics`)).body).toMatch(
    /^redis_health_target_info\{target="payments-main",.*team="t"\} 1$/m,
  );
});

test('a new file is picked up without a signal', async () => {
  writeFileSync(join(teams, 'search.yaml'), list(['search']));
  await waitFor('search added', async () => (await names()).includes('search'));
  expect(await reloadOk()).toBe(true);
});

test('a broken file keeps its targets and names its file and line; fixed, it applies', async () => {
  writeFileSync(join(teams, 'orders.yaml'), list(['orders']));
  await waitFor('orders added', async () => (await names()).includes('orders'));
  // A typo in the payments file, and a change in search's: search's applies, payments' keeps.
  writeFileSync(join(teams, 'payments.yaml'), `${list(['payments-main'])}\n- { name: [oops }\n`);
  writeFileSync(join(teams, 'search.yaml'), list(['search', 'search-replica']));
  await waitFor('search-replica added', async () => (await names()).includes('search-replica'));
  expect(await names()).toEqual([
    'orders',
    'payments-cache',
    'payments-main',
    'search',
    'search-replica',
  ]);
  expect(await reloadOk()).toBe(false);
  const broken = sidecar
    .logs()
    .find((line) => String(line.msg).startsWith('target file(s) broken'));
  expect((broken?.problems as string[] | undefined)?.[0]).toMatch(
    /^teams\/payments\.yaml:2: invalid YAML/,
  );
  // That reload is one event: applied, the broken file keeping its targets.
  const events = (
    JSON.parse((await httpGet(`${base}/status?history=1`)).body) as {
      events: Array<{ kind: string; text: string }>;
    }
  ).events.filter((event) => event.kind === 'reload');
  expect(events[0]?.text).toBe('config reloaded; broken target files kept the targets they had');
  expect(events.map((event) => event.text)).not.toContain(
    'config reload failed: kept the running config',
  );
  // /probe knows the targets being probed.
  expect((await httpGet(`${base}/probe?target=search-replica`)).status).toBe(200);

  writeFileSync(join(teams, 'payments.yaml'), list(['payments-main']));
  await waitFor('payments-cache gone', async () => !(await names()).includes('payments-cache'));
  expect(await reloadOk()).toBe(true);
});
