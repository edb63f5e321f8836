import type { BreakerState } from '../breaker/breaker';
import type { Target } from '../config/types';
import type { FailureReason } from '../probe/result';
import { evaluateChecks } from './checks';
import type { MonitorListener } from './listener';
import { targetReadiness } from './readiness';
import type { TargetStatus } from './target-status';

/** A target's state as `/watch` tells it: what an application acts on. */
export interface WatchState {
  target: string;
  breaker: BreakerState;
  /** The last conclusive probe's outcome; null before the first one. */
  up: boolean | null;
  /** This target's own readiness (`/readyz/NAME`), whether or not it gates the pod. */
  ready: boolean;
  required: boolean;
  /** Why it is down or its breaker is not closed; null while all is well. */
  reason: FailureReason | null;
  /** The checks that fail (`role is replica, want master`), even where they are report-only. */
  failing: string[];
  /** ISO time this state began. */
  since: string;
}

/** One entry of the feed: a target's new state, or a target a reload took away. */
export type WatchEvent =
  | { id: number; kind: 'state'; state: WatchState }
  | { id: number; kind: 'removed'; target: string };

export interface WatchFeed {
  /** Hand this to the monitor: the feed hears of every target and every settled probe. */
  listener: MonitorListener;
  /** Every target's current state with the id of the event that set it, oldest first. */
  snapshot(): { id: number; state: WatchState }[];
  /** Whether the feed knows a target of that name. */
  has(name: string): boolean;
  /** How many targets it knows. */
  size(): number;
  /** The id of the newest event (the first id ever is the feed's start in microseconds). */
  lastId(): number;
  /**
   * The events after `id`, if the feed still holds all of them; undefined when some were
   * dropped (or `id` is not one of this process's), so the reader must take a snapshot.
   */
  after(id: number): readonly WatchEvent[] | undefined;
  /** Calls `listener` with every new event; returns the function that stops it. */
  subscribe(listener: (event: WatchEvent) => void): () => void;
}

/** How many recent events are kept for readers that resume with `Last-Event-ID`. */
export const WATCH_RETAINED_EVENTS = 1024;

/**
 * The breaker, up, readiness and failing checks of every target, and an event whenever one of
 * them changes. Driven by the monitor's announcements alone: nothing polls, and an inconclusive
 * probe (rule 4) settles nothing, so it moves nothing here either.
 */
export function createWatchFeed(now: () => number, retained = WATCH_RETAINED_EVENTS): WatchFeed {
  const states = new Map<string, { id: number; state: WatchState }>();
  const events: WatchEvent[] = [];
  const subscribers = new Set<(event: WatchEvent) => void>();
  // Ids go on from the start time in microseconds, so a restarted sidecar never reuses the ids
  // of the one before: a reader resuming from an old id gets a snapshot, not someone else's past.
  let id = Math.floor(now() * 1000);

  const publish = (event: WatchEvent) => {
    events.push(event);
    if (events.length > retained) events.shift();
    for (const subscriber of subscribers) subscriber(event);
  };
  const announce = (state: Omit<WatchState, 'since'>) => {
    const before = states.get(state.target);
    if (before !== undefined && sameState(before.state, state)) return;
    const next = { ...state, since: new Date(now()).toISOString() };
    states.set(state.target, { id: ++id, state: next });
    publish({ id, kind: 'state', state: next });
  };

  const listener: MonitorListener = {
    added: (target: Target) =>
      announce({
        target: target.name,
        breaker: 'closed',
        up: null,
        ready: false,
        required: target.required,
        reason: null,
        failing: [],
      }),
    removed(target) {
      if (!states.delete(target.name)) return;
      publish({ id: ++id, kind: 'removed', target: target.name });
    },
    settled: (status) => announce(stateOf(status)),
  };

  return {
    listener,
    snapshot: () => [...states.values()].sort((a, b) => a.id - b.id),
    has: (name) => states.has(name),
    size: () => states.size,
    lastId: () => id,
    after(from) {
      const oldest = events[0]?.id ?? id + 1;
      if (from > id || from < oldest - 1) return undefined;
      return events.slice(events.length - (id - from));
    },
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
  };
}

function stateOf(status: TargetStatus): Omit<WatchState, 'since'> {
  const { target, breaker, up } = status;
  const troubled = up === false || breaker !== 'closed';
  return {
    target: target.name,
    breaker,
    up: up ?? null,
    ready: targetReadiness(status).ok,
    required: target.required,
    reason: troubled ? (status.lastFailure?.reason ?? null) : null,
    failing: evaluateChecks(status)
      .filter((check) => !check.ok)
      .map((check) => check.detail),
  };
}

function sameState(a: Omit<WatchState, 'since'>, b: Omit<WatchState, 'since'>): boolean {
  return (
    a.breaker === b.breaker &&
    a.up === b.up &&
    a.ready === b.ready &&
    a.required === b.required &&
    a.reason === b.reason &&
    a.failing.join('\n') === b.failing.join('\n')
  );
}
