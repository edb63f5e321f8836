import type { Context, Middleware } from 'koa';
import { createSlots } from '../slots';
import { clientGone } from './client-gone';

export interface HeavyAnswerLimits {
  /** Answers of one route being sent at once; more wait for a slot. */
  concurrency: number;
  /** An answer its client takes nothing of for this long is dropped with its connection. */
  sendTimeoutMs: number;
}

/** Requests that may wait for a slot, per slot. */
const WAITING_PER_SLOT = 4;
/**
 * Node notices a stalled socket between one and two timeouts after it stalls (it postpones a
 * timeout once when the socket's queue changed since the last look), so a request waits for a
 * slot as long as a stalled answer may hold one.
 */
const WAIT_TIMEOUTS = 2;

/**
 * Bounds what one heavy route (/metrics, /status, /targets, the status page) may hold: an
 * answer holds a slot from its request until its last byte is handed to the kernel or its
 * connection closes, and a client that reads nothing of it for the send timeout loses its
 * connection, so a slow or absent reader costs at most one answer's memory for a bounded time.
 * A request beyond the slots waits for one (a scrape storm is served in turn); beyond what may
 * wait, or past twice the send timeout, it is answered 503 with Retry-After.
 */
export function limitHeavyAnswers(limits: HeavyAnswerLimits): Middleware {
  const slots = createSlots(limits.concurrency, limits.concurrency * WAITING_PER_SLOT);
  const release = () => slots.release();
  return async (ctx, next) => {
    const { res } = ctx;
    // A client that hangs up while waiting gives its place back.
    const waited = slots.take(WAIT_TIMEOUTS * limits.sendTimeoutMs, clientGone(res));
    if (!(await waited)) return refuse(ctx);
    if (res.destroyed) return release();
    // Dropped when nothing could be written for the send timeout: a server slowed by a storm
    // still writes every turn; a client that does not read lets the socket's buffers fill.
    res.setTimeout(limits.sendTimeoutMs, () => res.destroy());
    // 'close' follows 'finish' and also comes alone when the connection goes first.
    res.once('close', release);
    await next();
  };
}

function refuse(ctx: Context) {
  ctx.status = 503;
  ctx.set('Retry-After', '1');
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = 'too many heavy answers being sent at once\n';
}
