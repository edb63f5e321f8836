import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { WatchEvent, WatchFeed, WatchState } from '../monitor/watch-feed';

export interface WatchSettings {
  /** A comment line this often, so readers and proxies can tell a quiet stream from a dead one. */
  heartbeatMs: number;
  /** Streams open at once; one more is answered 503 with Retry-After. */
  maxStreams: number;
}

export interface WatchStreams {
  /** `GET /watch`: the snapshot (or what a resuming reader missed), then every change. */
  serve(ctx: Koa.Context): void;
  /** Says `shutdown` on every stream and ends it; new streams are refused from now on. */
  close(): void;
}

/** What a client waits before reconnecting, as the `retry:` field tells EventSource readers. */
const RETRY_MS = 2000;
/**
 * What may wait unsent for one stream once its snapshot is out: a reader that falls further
 * behind is cut off (it resumes or takes a fresh snapshot), so a stalled reader never grows memory.
 */
export const WATCH_STREAM_SLACK_BYTES = 64 * 1024;

/** How long events are gathered before they are written. */
const WATCH_FLUSH_MS = 16;

interface Stream {
  res: ServerResponse;
  /** The targets it asked for; undefined for all. */
  targets: ReadonlySet<string> | undefined;
  /** Bytes that may wait unsent before the stream is cut. */
  limit: number;
  /** The id its snapshot or replay ended at: later events only. */
  from: number;
}

/** Serves `/watch` as Server-Sent Events from `feed`: pushed as the feed changes, never polled. */
export function createWatchStreams(feed: WatchFeed, settings: WatchSettings): WatchStreams {
  const streams = new Set<Stream>();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const drop = (stream: Stream) => {
    streams.delete(stream);
    if (streams.size === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };
  const send = (stream: Stream, text: string) => {
    stream.res.write(text);
    if (stream.res.writableLength > stream.limit) {
      drop(stream);
      stream.res.destroy();
    }
  };
  const wanted = (targets: ReadonlySet<string> | undefined, target: string) =>
    targets?.has(target) ?? true;
  // Events are gathered for WATCH_FLUSH_MS and written together: a storm of changes costs a
  // write per stream per flush, not per event and stream; a lone change waits that long at most.
  let batch: WatchEvent[] = [];
  const flush = () => {
    const events = batch;
    batch = [];
    const all = events.map(frame);
    const joined = all.join('');
    for (const stream of streams) {
      const { targets, from } = stream;
      const text =
        targets === undefined && (events[0]?.id ?? 0) > from
          ? joined
          : all
              .filter((_, i) => events[i]!.id > from && wanted(targets, targetOf(events[i]!)))
              .join('');
      if (text !== '') send(stream, text);
    }
  };
  feed.subscribe((event) => {
    if (streams.size === 0) return;
    if (batch.length === 0) setTimeout(flush, WATCH_FLUSH_MS);
    batch.push(event);
  });

  return {
    close() {
      closed = true;
      flush();
      for (const stream of streams) {
        drop(stream);
        stream.res.end('event: shutdown\ndata: {}\n\n');
      }
    },
    serve(ctx) {
      const targets = targetsAsked(ctx.query.target);
      const unknown = [...(targets ?? [])].find((name) => !feed.has(name));
      if (unknown !== undefined) return refuse(ctx, 404, `unknown target: ${unknown}`);
      if (closed) return refuse(ctx, 503, 'shutting down');
      if (streams.size >= settings.maxStreams) {
        ctx.set('Retry-After', String(Math.ceil(RETRY_MS / 1000)));
        return refuse(ctx, 503, `too many watch streams (at most ${settings.maxStreams})`);
      }
      ctx.status = 200;
      ctx.set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        // nginx and its kin would otherwise hold events back in their buffers.
        'X-Accel-Buffering': 'no',
      });
      if (ctx.method === 'HEAD') return;
      ctx.respond = false;
      const { res } = ctx;
      const opening = `retry: ${RETRY_MS}\n\n${catchUp(ctx.get('Last-Event-ID'), targets)}`;
      const stream: Stream = {
        res,
        targets,
        limit: Buffer.byteLength(opening) + WATCH_STREAM_SLACK_BYTES,
        from: feed.lastId(),
      };
      streams.add(stream);
      heartbeat ??= setInterval(() => {
        for (const each of streams) send(each, ': heartbeat\n\n');
      }, settings.heartbeatMs);
      res.on('close', () => drop(stream));
      res.flushHeaders();
      // The snapshot may wait whole; once it is out, only the slack may.
      if (res.write(opening)) stream.limit = WATCH_STREAM_SLACK_BYTES;
      else res.once('drain', () => (stream.limit = WATCH_STREAM_SLACK_BYTES));
    },
  };

  /** What a new stream starts with: the missed events when they are all still held, else a snapshot. */
  function catchUp(lastEventId: string, targets: ReadonlySet<string> | undefined): string {
    const synced = (count: number, resumed: boolean) =>
      `id: ${feed.lastId()}\nevent: synced\ndata: ${JSON.stringify({
        targets: count,
        resumed,
        heartbeatMs: settings.heartbeatMs,
      })}\n\n`;
    const keep = (target: string) => wanted(targets, target);
    const missed = /^\d+$/.test(lastEventId) ? feed.after(Number(lastEventId)) : undefined;
    if (missed !== undefined) {
      const frames = missed.filter((event) => keep(targetOf(event))).map(frame);
      // Every target asked for is known (an unknown one is a 404).
      return frames.join('') + synced(targets?.size ?? feed.size(), true);
    }
    const entries = feed.snapshot().filter(({ state }) => keep(state.target));
    return (
      entries.map(({ id, state }) => stateFrame(id, state)).join('') + synced(entries.length, false)
    );
  }
}

function targetOf(event: WatchEvent): string {
  return event.kind === 'state' ? event.state.target : event.target;
}

function frame(event: WatchEvent): string {
  return event.kind === 'state'
    ? stateFrame(event.id, event.state)
    : `id: ${event.id}\nevent: removed\ndata: ${JSON.stringify({ target: event.target })}\n\n`;
}

function stateFrame(id: number, state: WatchState): string {
  return `id: ${id}\nevent: state\ndata: ${JSON.stringify(state)}\n\n`;
}

/** `?target=a&target=b` as a set; undefined when none is named (every target). */
function targetsAsked(query: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (query === undefined) return undefined;
  return new Set(Array.isArray(query) ? query : [query]);
}

function refuse(ctx: Koa.Context, status: number, message: string) {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message.slice(0, 120)}\n`;
}
