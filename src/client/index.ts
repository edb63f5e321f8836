import type { EventSourceMessage } from 'eventsource-parser';
import { openEventStream, type EventStream } from './event-stream';

/** A target's breaker as the watch knows it: `unknown` while the sidecar cannot be heard. */
export type WatchedBreaker = 'closed' | 'open' | 'half_open' | 'unknown';

/** One target's state, as the sidecar's `/watch` sends it. */
export interface TargetState {
  target: string;
  breaker: WatchedBreaker;
  /** The last conclusive probe's outcome; null before the first and while unknown. */
  up: boolean | null;
  /** The target's own readiness; null while unknown. */
  ready: boolean | null;
  /** Why it is down or its breaker is not closed (a fixed set of reasons), else null. */
  reason: string | null;
  /** The checks that fail, such as `role is replica, want master`. */
  failing: string[];
  /** ISO time this state began (for `unknown`: when the watch stopped hearing the sidecar). */
  since: string;
}

/** How the watch stands with the sidecar. */
export type WatchConnection = 'connecting' | 'synced' | 'stale' | 'closed';

export interface WatchOptions {
  /** The sidecar's base URL (`http://127.0.0.1:19121`) or its `/watch` URL. */
  url: string;
  /** Only these targets (`?target=`); all by default. */
  targets?: readonly string[];
  /** Sent with every request, such as `{ Authorization: 'Bearer …' }` where the sidecar wants it. */
  headers?: Record<string, string>;
  /** Silence after which every state is `unknown`; by default two of the sidecar's heartbeats. */
  staleAfterMs?: number;
  /** Reconnects back off from this (default 500 ms) to `maxRetryMs` (default 30 s), with jitter. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

export interface TargetWatch {
  /** Resolves once the first snapshot has arrived. */
  readonly synced: Promise<void>;
  connection(): WatchConnection;
  /** The target's state; `unknown` when the watch does not know it (yet, or any more). */
  state(name: string): TargetState;
  states(): TargetState[];
  /**
   * True while the target's breaker is open (or half-open after a failed trial): fail fast.
   * False when it is closed, recovering, or unknown: the application uses its own timeouts.
   */
  isOpen(name: string): boolean;
  /** `fallback()` at once while the breaker is open; else `fn()`, and `fallback(error)` if it fails. */
  guard<T>(
    name: string,
    fn: () => T | Promise<T>,
    fallback: (error?: unknown) => T | Promise<T>,
  ): Promise<T>;
  /** Called with each target whose state changed; returns the function that stops it. */
  onChange(listener: (state: TargetState, previous: TargetState) => void): () => void;
  onConnection(listener: (connection: WatchConnection, error?: Error) => void): () => void;
  close(): void;
}

/** Before the sidecar says its heartbeat: its default, 15 s. */
const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * Follows a sidecar's `/watch`: the snapshot, then every change; reconnects with backoff and
 * `Last-Event-ID`; silent past two heartbeats or unreachable, every state is `unknown` and
 * `isOpen` answers false, so the application falls back to its own timeouts (fail open).
 */
export function watchTargets(options: WatchOptions): TargetWatch {
  const url = watchUrl(options.url, options.targets);
  const minRetryMs = options.minRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const states = new Map<string, TargetState>();
  const changeListeners = new Set<(state: TargetState, previous: TargetState) => void>();
  const connectionListeners = new Set<(connection: WatchConnection, error?: Error) => void>();
  let connection: WatchConnection = 'connecting';
  let staleAfterMs = options.staleAfterMs ?? 2 * DEFAULT_HEARTBEAT_MS;
  let lastEventId: string | undefined;
  let lastHeard = Date.now();
  let attempts = 0;
  let stream: EventStream | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let seen = new Set<string>();
  let resolveSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (resolveSynced = resolve));

  const setConnection = (next: WatchConnection, error?: Error) => {
    if (next === connection && error === undefined) return;
    connection = next;
    for (const listener of connectionListeners) listener(next, error);
  };
  const put = (name: string, next: TargetState | undefined) => {
    const previous = state(name);
    if (next === undefined) states.delete(name);
    else states.set(name, next);
    const current = state(name);
    if (JSON.stringify(current) === JSON.stringify(previous)) return;
    for (const listener of changeListeners) listener(current, previous);
  };
  const state = (name: string): TargetState => states.get(name) ?? unknownState(name, new Date());
  const forgetAll = (why: WatchConnection, error?: Error) => {
    const at = new Date();
    for (const [name, known] of states) {
      if (known.breaker !== 'unknown') put(name, unknownState(name, at));
    }
    setConnection(why, error);
  };

  const onMessage = (message: EventSourceMessage) => {
    if (message.id !== undefined) lastEventId = message.id;
    if (message.event === 'state') {
      const next = JSON.parse(message.data) as TargetState;
      seen.add(next.target);
      put(next.target, next);
    } else if (message.event === 'removed') {
      put((JSON.parse(message.data) as { target: string }).target, undefined);
    } else if (message.event === 'synced') {
      const info = JSON.parse(message.data) as { resumed: boolean; heartbeatMs?: number };
      if (!info.resumed)
        for (const name of states.keys()) if (!seen.has(name)) put(name, undefined);
      if (options.staleAfterMs === undefined && info.heartbeatMs !== undefined) {
        staleAfterMs = 2 * info.heartbeatMs;
      }
      attempts = 0;
      setConnection('synced');
      resolveSynced();
    } else if (message.event === 'shutdown') {
      forgetAll('connecting');
    }
  };

  const connect = () => {
    retryTimer = undefined;
    seen = new Set();
    stream = openEventStream(url, headersFor(options.headers, lastEventId), {
      message: onMessage,
      activity: () => (lastHeard = Date.now()),
      ended(error) {
        stream = undefined;
        if (connection === 'closed') return;
        if (error !== undefined) forgetAll('connecting', error);
        reconnect(error === undefined && connection === 'synced' ? 0 : undefined);
      },
    });
  };
  const reconnect = (delayMs?: number) => {
    const backoff = Math.min(maxRetryMs, minRetryMs * 2 ** attempts);
    attempts += 1;
    retryTimer = setTimeout(connect, delayMs ?? backoff * (0.5 + Math.random() / 2));
    retryTimer.unref();
  };
  // One timer, re-armed for what is left of the silence allowed, never once per message.
  const watchSilence = () => {
    if (connection === 'closed') return;
    const silentMs = Date.now() - lastHeard;
    if (silentMs >= staleAfterMs && connection !== 'stale') {
      forgetAll('stale');
      stream?.close();
    }
    setTimeout(watchSilence, Math.max(100, staleAfterMs - silentMs)).unref();
  };

  const isOpen = (name: string) => {
    const { breaker, up } = state(name);
    return breaker === 'open' || (breaker === 'half_open' && up === false);
  };

  connect();
  watchSilence();

  return {
    synced,
    connection: () => connection,
    state,
    states: () => [...states.values()],
    isOpen,
    async guard(name, fn, fallback) {
      if (isOpen(name)) return fallback();
      try {
        return await fn();
      } catch (error) {
        return fallback(error);
      }
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      setConnection('closed');
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      stream?.close();
    },
  };
}

function unknownState(target: string, at: Date): TargetState {
  const since = at.toISOString();
  return { target, breaker: 'unknown', up: null, ready: null, reason: null, failing: [], since };
}

function watchUrl(base: string, targets: readonly string[] | undefined): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/watch')) url.pathname = `${url.pathname.replace(/\/$/, '')}/watch`;
  for (const target of targets ?? []) url.searchParams.append('target', target);
  return url;
}

function headersFor(
  headers: Record<string, string> | undefined,
  lastEventId: string | undefined,
): Record<string, string> {
  return { ...headers, ...(lastEventId !== undefined && { 'Last-Event-ID': lastEventId }) };
}
