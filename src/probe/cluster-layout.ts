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
