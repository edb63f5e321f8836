import { createHash } from 'node:crypto';
import type { ConfigError } from '../../../src/config/errors';
import { ordinalOf, resolveSharding, shardOf } from '../../../src/config/shard';

describe('shardOf: Prometheus hashmod of the target name', () => {
  test('the last 8 bytes of the MD5, big-endian, modulo the total', () => {
    // md5("payments") written out by hand, independently of shardOf's own reading of it.
    const hex = createHash('md5').update('payments').digest('hex');
    const last8 = BigInt(`0x${hex.slice(16)}`);
    for (const total of [1, 2, 3, 4, 7, 100]) {
      expect(shardOf('payments', total)).toBe(Number(last8 % BigInt(total)));
    }
  });

  test('10,000 names spread evenly over 4 shards; a name stays put while the total does', () => {
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 10_000; index += 1) {
      const shard = shardOf(`tenant-${index}`, 4);
      counts[shard] = (counts[shard] ?? 0) + 1;
      expect(shardOf(`tenant-${index}`, 4)).toBe(shard);
    }
    for (const count of counts) expect(count).toBeGreaterThan(2300);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(10_000);
  });
});

describe('resolveSharding', () => {
  const file = (shard: number | undefined, totalShards: number) => ({ shard, totalShards });

  test('unsharded is shard 0 of 1', () => {
    expect(resolveSharding({}, undefined, {})).toEqual({ shard: 0, total: 1 });
  });

  test('flags over the file, the file over POD_NAME', () => {
    const env = { POD_NAME: 'redis-health-3' };
    expect(resolveSharding({ shard: '1', totalShards: '4' }, file(2, 8), env)).toEqual({
      shard: 1,
      total: 4,
    });
    expect(resolveSharding({}, file(2, 8), env)).toEqual({ shard: 2, total: 8 });
    expect(resolveSharding({}, file(undefined, 8), env)).toEqual({ shard: 3, total: 8 });
    expect(resolveSharding({ totalShards: '4' }, undefined, env)).toEqual({ shard: 3, total: 4 });
  });

  test('bad values name the flag, key or variable', () => {
    const problem = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ConfigError).message;
      }
      return 'no error';
    };
    expect(problem(() => resolveSharding({ shard: '-1' }, undefined, {}))).toBe(
      '--shard: must be a whole number, at least 0',
    );
    expect(problem(() => resolveSharding({ totalShards: '0' }, undefined, {}))).toBe(
      '--total-shards: must be a whole number, at least 1',
    );
    expect(problem(() => resolveSharding({}, file(undefined, 4), { POD_NAME: 'web' }))).toMatch(
      /^sharding.shard: with more than one shard, set --shard/,
    );
    expect(problem(() => resolveSharding({}, file(undefined, 2), { POD_NAME: 'rh-5' }))).toBe(
      'POD_NAME: shard 5 is not below the total of 2 shards',
    );
  });

  test('the ordinal of a StatefulSet pod name', () => {
    expect(ordinalOf('redis-health-sidecar-12')).toBe(12);
    expect(ordinalOf('redis-health-sidecar-7d9f8-abcde')).toBeUndefined();
    expect(ordinalOf(undefined)).toBeUndefined();
  });
});
