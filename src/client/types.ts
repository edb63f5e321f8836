/** The client's public types: what `watchTargets` offers. */

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
  /**
   * Called with each target whose state changed; returns the function that stops it. A listener
   * that throws ends the stream (the error reaches `onConnection`) and the watch reconnects.
   */
  onChange(listener: (state: TargetState, previous: TargetState) => void): () => void;
  onConnection(listener: (connection: WatchConnection, error?: Error) => void): () => void;
  close(): void;
}
