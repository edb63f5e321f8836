import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadConfigFile } from '../../../src/config/load';
import { shardTargets } from '../../../src/config/types';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'target-files-'));
  mkdirSync(join(dir, 'teams'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
const main = (extra = '') => {
  write(
    'config.yaml',
    `defaults: { interval: 2s, labels: { env: prod } }\ntargetFiles: ["teams/*.yaml"]\n${extra}`,
  );
  return join(dir, 'config.yaml');
};
const list = (names: string[], extra = '') =>
  names.map((name) => `- { name: ${name}, url: "redis://${name}:6379/0"${extra} }`).join('\n');
const message = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'no error';
};

test('10,000 targets across 10 files, inheriting defaults, each probed by exactly one of 4 shards', () => {
  for (let file = 0; file < 10; file += 1) {
    const names = Array.from({ length: 1000 }, (_, index) => `t${file}-${index}`);
    write(`teams/team-${file}.yaml`, list(names, ', labels: { team: t' + file + ' }'));
  }
  const started = performance.now();
  const config = loadConfigFile(main(), {});
  const ms = performance.now() - started;
  console.log(`10,000 targets in 10 files loaded in ${ms.toFixed(0)} ms`);
  expect(config.targets).toHaveLength(10_000);
  expect(config.targets[0]).toMatchObject({
    name: 't0-0',
    intervalMs: 2000,
    labels: { env: 'prod', team: 't0' },
  });
  const shards = [0, 1, 2, 3].map((shard) =>
    shardTargets({ ...config, sharding: { shard, total: 4 } }).map((target) => target.name),
  );
  const all = shards.flat();
  expect(all).toHaveLength(10_000);
  expect(new Set(all).size).toBe(10_000);
});

test('a name used twice, across files or beside the main file, is an error naming both', () => {
  write('teams/a.yaml', list(['payments', 'orders']));
  write('teams/b.yaml', list(['search', 'payments']));
  expect(
    message(() => loadConfigFile(main('targets:\n' + list(['orders']).replace(/^/gm, '  ')), {})),
  ).toBe(
    [
      'config.yaml:2: targetFiles.teams/a.yaml[1]: "orders" is already the name of targets[0]',
      'config.yaml:2: targetFiles.teams/b.yaml[1]: "payments" is already the name of teams/a.yaml[0]',
    ].join('\n'),
  );
});

test('a broken file at start-up is an error with its own name and line', () => {
  write('teams/a.yaml', list(['payments']));
  write('teams/b.yaml', '- { name: search, url: "redis://search:6379/0" }\n- { name: 9 }\n');
  write('teams/c.yaml', '- { name: carts, url: "http://carts:6379" }\n');
  expect(message(() => loadConfigFile(main(), {}))).toBe(
    [
      'teams/b.yaml:2: [1].name: must be a string',
      'teams/c.yaml:1: [0].url: scheme http:// is not supported; use redis://, rediss://, valkey://, valkeys:// or unix://',
    ].join('\n'),
  );
});

test('at a reload, a broken file keeps its previous targets and says why; the others update', () => {
  write('teams/a.yaml', list(['payments']));
  write('teams/b.yaml', list(['search']));
  const first = loadConfigFile(main(), {});
  write('teams/a.yaml', list(['payments', 'orders']));
  write('teams/b.yaml', '- { name: search, url: redis://search:6379/0\n'); // unclosed
  const second = loadConfigFile(main(), {}, { previous: first });
  expect(second.targets.map((target) => target.name)).toEqual(['payments', 'orders', 'search']);
  expect(second.targetFiles?.broken).toEqual([
    expect.stringMatching(/^teams\/b\.yaml:2: invalid YAML: /),
  ]);
});
