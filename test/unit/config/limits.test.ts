import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadConfigFile, parseConfig } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-limits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `bytes` that would be valid YAML (a comment pads it): only its size is wrong. */
const padded = (file: string, head: string, bytes: number) => {
  writeFileSync(join(dir, file), `${head}\n#${'x'.repeat(bytes - head.length - 2)}`);
  return join(dir, file);
};

describe('config limits', () => {
  test('a config file over 4 MiB is refused before it is parsed, naming the file', () => {
    const file = padded('config.yaml', 'targets: []', 4 * 2 ** 20 + 1);
    expect(() => loadConfigFile(file, {})).toThrow(ConfigError);
    expect(() => loadConfigFile(file, {})).toThrow(
      `${file}: config file is 4.0 MiB; at most 4 MiB is read`,
    );
  });

  test('a target file over 4 MiB is refused the same way, the main file still read', () => {
    writeFileSync(join(dir, 'config.yaml'), 'targetFiles: ["big.yaml"]\n');
    padded('big.yaml', '[]', 5 * 2 ** 20);
    expect(() => loadConfigFile(join(dir, 'config.yaml'), {})).toThrow(
      'big.yaml: target file is 5.0 MiB; at most 4 MiB is read',
    );
  });

  test('a label value over 256 characters is refused with its key path', () => {
    const yaml = (value: string) =>
      `targets:\n  - { name: a, url: 'redis://h:6379/0', labels: { team: '${value}' } }\n`;
    expect(parseConfig(yaml('x'.repeat(256)), {}).targets[0]?.labels).toEqual({
      team: 'x'.repeat(256),
    });
    expect(() => parseConfig(yaml('x'.repeat(257)), {})).toThrow(
      'config:2: targets[0].labels.team: must be at most 256 characters',
    );
  });

  test('one process probes at most 10,000 targets; more are refused naming the limit', () => {
    const list = (count: number) =>
      `targets:\n${Array.from({ length: count }, (_, i) => `  - { name: t${i}, url: 'redis://h:6379/0' }`).join('\n')}\n`;
    expect(parseConfig(list(10_000), {}).targets).toHaveLength(10_000);
    expect(() => parseConfig(list(10_001), {})).toThrow(
      'config:1: targets: 10001 targets for one process, more than 10000: split them with --total-shards',
    );
    // Split in two shards, each owns about half: accepted.
    const shard = parseConfig(list(10_001), {}, 'config', {
      flags: { shard: '0', totalShards: '2' },
    });
    expect(shard.sharding).toEqual({ shard: 0, total: 2 });
  });
});
