import type { KeyedProblem } from './errors';
import { parseHostPort } from './host-port';
import { parseRedisUrl, type ParsedRedisUrl } from './redis-url';
import { checkTlsFiles } from './resolve-access';
import type { CheckedTarget } from './schema';
import type { ClusterSettings, SentinelSettings } from './types';

export type Location = ParsedRedisUrl & {
  sentinel?: SentinelSettings;
  cluster?: ClusterSettings;
};

/** Where the target is: its URL, the sentinels that know its master, or its cluster's nodes. */
export function resolveLocation(
  input: CheckedTarget,
  at: readonly PropertyKey[],
  problems: KeyedProblem[],
): Location | undefined {
  const problem = (key: string, message: string) => {
    problems.push({ keys: [...at, key], message });
    return undefined;
  };
  const ways = (['url', 'sentinel', 'cluster'] as const).filter((key) => input[key] !== undefined);
  if (ways.length === 0) return problem('url', 'is required (or sentinel, or cluster)');
  if (ways.length > 1)
    return problem(
      ways[1] ?? 'url',
      `set only one of url, sentinel and cluster (found ${ways.join(' and ')})`,
    );
  // Without a URL to say rediss://, a `tls` key is what turns TLS on.
  const tls = input.tls !== undefined;
  if (input.sentinel !== undefined) {
    const { sentinel } = input;
    if (sentinel.tls !== undefined) {
      checkTlsFiles(sentinel.tls, [...at, 'sentinel', 'tls'], problems);
    }
    const listed = sentinel.sentinels.length;
    if (sentinel.minSentinels !== undefined && sentinel.minSentinels > listed) {
      problems.push({
        keys: [...at, 'sentinel', 'minSentinels'],
        message: `is ${sentinel.minSentinels}, but only ${listed} sentinels are listed`,
      });
    }
    const first = sentinel.sentinels[0] ?? { host: '', port: 0 };
    return { endpoint: first, address: sentinel.masterName, db: input.db ?? 0, tls, sentinel };
  }
  if (input.cluster !== undefined) {
    if (input.db !== undefined)
      return problem('db', 'must not be set: a cluster has only database 0');
    const { nodes } = input.cluster;
    const first = parseHostPort(nodes[0] ?? '');
    return { endpoint: first, address: nodes.join(','), db: 0, tls, cluster: { nodes } };
  }
  if (input.db !== undefined)
    return problem('db', 'goes with sentinel; put the database in the url path');
  const parsed = parseRedisUrl(input.url ?? '');
  return typeof parsed === 'string' ? problem('url', parsed) : parsed;
}
