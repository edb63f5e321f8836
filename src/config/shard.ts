import { createHash } from 'node:crypto';
import type { Env } from './env';
import { ConfigError } from './errors';

/** Which share of the targets this process probes: shard `shard` of `total` (0-based). */
export interface Sharding {
  shard: number;
  total: number;
}

/**
 * The shard a target name belongs to, as Prometheus's `hashmod` relabel action computes it:
 * the MD5 of the name, its last 8 bytes as a big-endian unsigned 64-bit number, modulo `total`.
 * So a relabel rule in Prometheus reproduces the assignment, and a target moves only when
 * `total` changes.
 */
export function shardOf(name: string, total: number): number {
  const sum = createHash('md5').update(name).digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(total));
}

/** The ordinal at the end of a StatefulSet pod's name (`redis-health-2` → 2), if any. */
export function ordinalOf(podName: string | undefined): number | undefined {
  const match = /-(\d+)$/.exec(podName ?? '');
  return match === null ? undefined : Number(match[1]);
}

/** What the command line says, as typed: `--shard N --total-shards M`. */
export interface ShardFlags {
  shard?: string | undefined;
  totalShards?: string | undefined;
}

/**
 * This process's shard: flags first, then the config file's `sharding`, then (for the shard
 * alone) the ordinal of `POD_NAME`, as kube-state-metrics finds its shard in a StatefulSet.
 * Unsharded is shard 0 of 1. Throws ConfigError naming the flag, key or variable at fault.
 */
export function resolveSharding(
  flags: ShardFlags,
  file: { shard?: number | undefined; totalShards: number } | undefined,
  env: Env,
): Sharding {
  const flag = (name: string, text: string | undefined, min: number) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || !/^\d+$/.test(text)) {
      throw new ConfigError([{ path: name, message: `must be a whole number, at least ${min}` }]);
    }
    return value;
  };
  const total = flag('--total-shards', flags.totalShards, 1) ?? file?.totalShards ?? 1;
  const given = flag('--shard', flags.shard, 0) ?? file?.shard;
  const shard = given ?? (total > 1 ? ordinalOf(env.POD_NAME) : 0);
  if (shard === undefined) {
    const message =
      'with more than one shard, set --shard, sharding.shard, or POD_NAME ending in -N (a StatefulSet pod)';
    throw new ConfigError([{ path: 'sharding.shard', message }]);
  }
  if (shard >= total) {
    const from =
      given !== undefined ? (flags.shard !== undefined ? '--shard' : 'sharding.shard') : 'POD_NAME';
    throw new ConfigError([
      { path: from, message: `shard ${shard} is not below the total of ${total} shards` },
    ]);
  }
  return { shard, total };
}
