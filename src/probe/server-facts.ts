import { infoNumber, parseInfoFields } from './cluster-layout';

/** What INFO says about a Redis server: the facts that decide health, and a few for people. */
export interface ServerFacts {
  /** `redis`, or what `server_name` says (`valkey`). */
  server: string;
  /** The server's own version: `valkey_version` on Valkey, else `redis_version`. */
  version: string;
  /** `redis_version` as reported; Valkey freezes it at the Redis it is compatible with (7.2.4). */
  redisVersion: string;
  role: 'master' | 'replica';
  loading: boolean;
  uptimeSeconds: number;
  connectedClients: number;
  /** From INFO clients (Redis 7 and later); undefined on older servers. */
  maxClients?: number;
  usedMemoryBytes: number;
  usedMemoryHuman: string;
  /** 0 means no limit. */
  maxMemoryBytes: number;
  /** Replicas only. */
  masterLinkUp?: boolean;
  /** Replicas only: a full sync from the master is under way (`master_sync_in_progress:1`). */
  masterSyncInProgress?: boolean;
  /** Replicas only: seconds since the last interaction with the master. */
  masterLastIoSeconds?: number;
  /** Masters only: how far the slowest replica is behind, in bytes of replication stream. */
  replicaOffsetLagBytes?: number;
  connectedReplicas?: number;
}

/** Parses the reply of a plain INFO. Throws when it does not look like INFO at all. */
export function parseServerFacts(text: string): ServerFacts {
  const fields = parseInfoFields(text);
  const number = (name: string) => infoNumber(fields, name);
  const redisVersion = fields.get('redis_version');
  const role = fields.get('role');
  if (redisVersion === undefined || (role !== 'master' && role !== 'slave')) {
    throw new Error('INFO reply lacks redis_version or role');
  }
  // Valkey keeps redis_version at 7.2.4 and says what it is in server_name and valkey_version.
  const server = fields.get('server_name') ?? 'redis';
  const version = fields.get(`${server}_version`) ?? redisVersion;
  const maxClients = number('maxclients');
  const facts: ServerFacts = {
    server: short(server),
    version: short(version),
    redisVersion: short(redisVersion),
    role: role === 'slave' ? 'replica' : 'master',
    loading: fields.get('loading') === '1',
    uptimeSeconds: number('uptime_in_seconds') ?? 0,
    connectedClients: number('connected_clients') ?? 0,
    ...(maxClients !== undefined && { maxClients }),
    usedMemoryBytes: number('used_memory') ?? 0,
    usedMemoryHuman: short(fields.get('used_memory_human') ?? ''),
    maxMemoryBytes: number('maxmemory') ?? 0,
  };
  if (facts.role === 'replica') {
    facts.masterLinkUp = fields.get('master_link_status') === 'up';
    facts.masterSyncInProgress = fields.get('master_sync_in_progress') === '1';
    const lastIo = number('master_last_io_seconds_ago');
    // -1 until the first interaction: as good as never.
    if (lastIo !== undefined && lastIo >= 0) facts.masterLastIoSeconds = lastIo;
    return facts;
  }
  facts.connectedReplicas = number('connected_slaves') ?? 0;
  const offset = number('master_repl_offset');
  let slowest = Infinity;
  for (const [name, value] of fields) {
    if (!/^slave\d+$/.test(name)) continue;
    const replicaOffset = Number(/offset=(\d+)/.exec(value)?.[1]);
    if (Number.isFinite(replicaOffset)) slowest = Math.min(slowest, replicaOffset);
  }
  if (offset !== undefined && slowest !== Infinity) {
    facts.replicaOffsetLagBytes = Math.max(0, offset - slowest);
  }
  return facts;
}

/** The most a text fact may hold: it becomes a label value on every /metrics answer. */
const MAX_FACT_LENGTH = 32;

/** A text fact as shown: a peer's megabyte "version" is cut, not copied into every answer. */
function short(text: string): string {
  return text.length <= MAX_FACT_LENGTH ? text : `${text.slice(0, MAX_FACT_LENGTH - 1)}…`;
}
