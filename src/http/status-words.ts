import type { FailureReason } from '../probe/result';
import type { describeTarget } from './status';

/** What a failure reason means, in words a person on call reads at 3 a.m. */
export function reasonInWords(reason: FailureReason, address: string, timeoutMs: number): string {
  switch (reason) {
    case 'refused':
      return `connection refused: nothing listens on ${address}`;
    case 'timeout':
      return `no answer within ${timeoutMs} ms: ${address} is hung, overloaded or unreachable`;
    case 'auth':
      return 'authentication failed: the password or ACL user is not accepted';
    case 'loading':
      return 'Redis is loading its dataset into memory';
    case 'masterdown':
      return 'the replica has lost its master (MASTERDOWN)';
    case 'readonly':
      return 'writes refused: this is a read-only replica';
    case 'oom':
      return 'out of memory: Redis refuses writes (maxmemory reached)';
    case 'misconf':
      return 'Redis cannot save its data (MISCONF), so it refuses writes';
    case 'tls':
      return 'the TLS handshake failed: certificate, name or protocol mismatch';
    case 'dns':
      return `the host name of ${address} does not resolve`;
    case 'closed':
      return 'the connection was closed by the other side';
    case 'busy':
      return 'Redis is busy running a script or module command (BUSY)';
    case 'noreplicas':
      return 'writes refused: not enough replicas acknowledge them (NOREPLICAS)';
    case 'protocol':
      return `${address} does not speak the Redis protocol: a wrong port, or another service`;
    case 'pubsub':
      return 'PING answers, but a published message did not come back to the subscriber';
    case 'inconclusive':
      return 'the sidecar itself was stalled: retrying, not blaming Redis';
    case 'error':
      return 'an unexpected error';
  }
}

/** `3m12s`, `45s`, `2h05m`, `3d04h`: a duration as people say it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (value: number) => String(value).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  if (seconds < 86_400)
    return `${Math.floor(seconds / 3600)}h${pad(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86_400)}d${pad(Math.floor(seconds / 3600) % 24)}h`;
}

/** `12:04:05 UTC`: a time of day for event lists. */
export function formatClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** A target's facts in one line: what its server says, then what its checks saw. */
export function factsOf(target: ReturnType<typeof describeTarget>): string {
  return [serverFacts(target), ...checkFacts(target)].filter((fact) => fact !== '').join(' · ');
}

function serverFacts(target: ReturnType<typeof describeTarget>): string {
  if ('cluster' in target) {
    const { cluster } = target;
    const alone = cluster.mastersWithoutReplica ?? 0;
    const failing = (cluster.slotsFail ?? 0) + (cluster.slotsPfail ?? 0);
    return [
      `cluster ${cluster.state ?? '?'}, ${cluster.nodes.length} masters`,
      ...(alone > 0 ? [`${alone} without a reachable replica`] : []),
      ...(failing > 0 ? [`${failing} slots on failing nodes`] : []),
    ].join(', ');
  }
  const server = target.server;
  if (server === null) return '';
  const name = server.server === 'redis' ? '' : `${server.server} `;
  return `${server.role} ${name}${server.version}, ${server.connectedClients} clients, ${server.usedMemory}, up ${formatDuration(server.uptimeSeconds * 1000)}`;
}

/** What the checks beyond PING saw: sentinels, certificate, pub/sub. */
function checkFacts(target: ReturnType<typeof describeTarget>): string[] {
  const facts: string[] = [];
  if (target.sentinels !== undefined) {
    const { answering, configured, quorum } = target.sentinels;
    facts.push(
      `${answering} of ${configured} sentinels answer, ${quorum ? 'quorum ok' : 'no quorum'}`,
    );
  }
  if (target.certificate !== null) {
    const { daysLeft, subject } = target.certificate;
    facts.push(`certificate ${subject} expires in ${daysLeft.toFixed(1)} days`);
  }
  const trip = target.pubsub?.roundTripMs;
  if (trip !== undefined && trip !== null) facts.push(`pub/sub ${trip} ms`);
  return facts;
}
