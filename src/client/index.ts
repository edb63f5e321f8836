import type { EventSourceMessage } from 'eventsource-parser';
import { openEventStream, type EventStream } from './event-stream';
import type { TargetState, TargetWatch, WatchConnection, WatchOptions } from './types';

export type {
  TargetState,
  TargetWatch,
  WatchConnection,
  WatchedBreaker,
  WatchOptions,
} from './types';

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
  /** When the stream last said anything, or the last try to reach it began. */
  let quietSince = Date.now();
  let attempts = 0;
  let stream: EventStream | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let silenceTimer: NodeJS.Timeout | undefined;
  let seen = new Set<string>();
  let resolveSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (resolveSynced = resolve));

  const setConnection = (next: WatchConnection, error?: Error) => {
    if (next === connection && error === undefined) return;
    connection = next;
    for (const listener of connectionListeners) listener(next, error);
  };
  const put = (name: string, next: TargetState | undefined) => {
    if (next === undefined && !states.has(name)) return;
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
        watchSilence();
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
      activity: () => (quietSince = Date.now()),
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
    const silentMs = Date.now() - quietSince;
    if (silentMs >= staleAfterMs) {
      // A stream (or a connection attempt) that says nothing is given up and tried again.
      if (connection !== 'stale') forgetAll('stale');
      quietSince = Date.now();
      stream?.close();
    }
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(
      watchSilence,
      Math.max(100, staleAfterMs - (Date.now() - quietSince)),
    );
    silenceTimer.unref();
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
      clearTimeout(retryTimer);
      clearTimeout(silenceTimer);
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
