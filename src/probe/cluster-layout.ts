import { formatHostPort } from '../config/host-port';

/** Fields of CLUSTER INFO that change whenever the set of masters or their slots change. */
const LAYOUT_FIELDS = [
  'cluster_slots_assigned',
  'cluster_known_nodes',
  'cluster_size',
  'cluster_current_epoch',
];

/** Parses the `field:value` lines of CLUSTER INFO (or INFO) into a map. */
export function parseInfoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const split = line.indexOf(':');
    if (split > 0 && !line.startsWith('#')) fields.set(line.slice(0, split), line.slice(split + 1));
  }
  return fields;
}

/** A field of INFO as a number; undefined when absent or not a number. */
export function infoNumber(fields: Map<string, string>, name: string): number | undefined {
  const value = Number(fields.get(name));
  return Number.isFinite(value) ? value : undefined;
}

/** A value that changes when the layout may have changed, so CLUSTER SLOTS is asked again. */
export function layoutFingerprint(info: Map<string, string>): string {
  return LAYOUT_FIELDS.map((field) => info.get(field) ?? '').join(',');
}

/**
 * The masters in a CLUSTER SLOTS reply: `[start, end, [host, port, id, ...], replicas...]` per
 * slot range. An empty, `?` or missing host means "the node you asked" (Redis 7 preferred
 * endpoints), so `askedHost` stands in for it.
 */
export function parseClusterSlots(reply: unknown, askedHost: string): string[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS did not answer with a list');
  const masters = new Set<string>();
  for (const range of reply as unknown[]) {
    const master = Array.isArray(range) ? (range[2] as unknown) : undefined;
    if (!Array.isArray(master) || typeof master[1] !== 'number') {
      throw new Error('CLUSTER SLOTS answered with an entry without a master');
    }
    const named = typeof master[0] === 'string' && master[0] !== '' && master[0] !== '?';
    const host = named ? (master[0] as string) : askedHost;
    masters.add(formatHostPort(host, master[1]));
  }
  return [...masters];
}

/** One line of CLUSTER NODES, as far as health needs it. */
export interface ClusterNodeLine {
  id: string;
  address: string;
  master: boolean;
  /** For a replica, the id of its master. */
  masterId?: string;
  /** Flagged `fail` or `fail?`, or its link from the node asked is down. */
  unreachable: boolean;
}

/**
 * Parses CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong>
 * <epoch> <link-state> <slots...>`. An empty host means the node asked (`askedHost`); nodes
 * still in handshake or without an address are left out.
 */
export function parseClusterNodes(text: string, askedHost: string): ClusterNodeLine[] {
  return text.split(/\r?\n/).flatMap((line): ClusterNodeLine[] => {
    const [id, endpoint, flags, masterId, , , , link] = line.trim().split(' ');
    if (id === undefined || endpoint === undefined || flags === undefined) return [];
    const flagSet = new Set(flags.split(','));
    if (flagSet.has('handshake') || flagSet.has('noaddr')) return [];
    const hostPort = endpoint.split(/[@,]/)[0] ?? '';
    const split = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, split) || askedHost;
    const node: ClusterNodeLine = {
      id,
      address: formatHostPort(host, hostPort.slice(split + 1)),
      master: flagSet.has('master'),
      unreachable: flagSet.has('fail') || flagSet.has('fail?') || link !== 'connected',
    };
    if (!node.master && masterId !== undefined && masterId !== '-') node.masterId = masterId;
    return [node];
  });
}
