import type { ServerResponse } from 'node:http';

/**
 * Aborts when the client goes before its answer is sent: work done only for that answer (a wait
 * for a slot, an on-demand probe) can stop then instead of running to its own timeout.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  if (res.destroyed) gone.abort();
  else res.once('close', () => res.writableFinished || gone.abort());
  return gone.signal;
}
