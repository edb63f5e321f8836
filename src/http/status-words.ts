import type { FailureReason } from '../probe/result';

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
