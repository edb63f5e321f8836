/** The three states of a circuit breaker, as they appear in the `state` label. */
export type BreakerState = 'closed' | 'open' | 'half_open';

export const breakerStates: readonly BreakerState[] = ['closed', 'open', 'half_open'];

export interface Transition {
  from: BreakerState;
  to: BreakerState;
}

/** Every transition a breaker can make. */
export const breakerTransitions: readonly Transition[] = [
  { from: 'closed', to: 'open' },
  { from: 'open', to: 'half_open' },
  { from: 'half_open', to: 'closed' },
  { from: 'half_open', to: 'open' },
];

export interface BreakerSettings {
  /** Consecutive failures (while closed) that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before one trial probe is allowed. */
  recoveryTimeoutMs: number;
  /** Consecutive successes in half_open that close it. */
  successThreshold: number;
}

export interface Breaker {
  readonly state: BreakerState;
  /**
   * Whether a probe may be sent now. While open, false until `recoveryTimeoutMs` has passed; then
   * the breaker moves to half_open (returned as `transition`) and the trial probe may go.
   */
  permit(): { allowed: boolean; transition?: Transition };
  /** When an open breaker will permit its trial probe (epoch ms); undefined unless open. */
  retryAt(): number | undefined;
  /** Records the outcome of a permitted probe; returns the transition it caused, if any. */
  record(ok: boolean): Transition | undefined;
}

/**
 * A consecutive-failure circuit breaker. Pure: no timers and no events; time comes from `now`,
 * transitions are returned to the caller, which logs and counts them.
 */
export function createBreaker(settings: BreakerSettings, now: () => number): Breaker {
  return new ConsecutiveFailureBreaker(settings, now);
}

// A class rather than closures: one breaker per target, and at thousands of targets the methods
// shared on the prototype save about 0.9 KiB each (five closures, their context, and an object
// with a getter that V8 keeps in dictionary mode).
class ConsecutiveFailureBreaker implements Breaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #successes = 0;
  #openedAt = 0;
  readonly #settings: BreakerSettings;
  readonly #now: () => number;

  constructor(settings: BreakerSettings, now: () => number) {
    this.#settings = settings;
    this.#now = now;
  }

  get state(): BreakerState {
    return this.#state;
  }

  permit(): { allowed: boolean; transition?: Transition } {
    if (this.#state !== 'open') return { allowed: true };
    if (this.#now() - this.#openedAt < this.#settings.recoveryTimeoutMs) return { allowed: false };
    return { allowed: true, transition: this.#moveTo('half_open') };
  }

  retryAt(): number | undefined {
    return this.#state === 'open' ? this.#openedAt + this.#settings.recoveryTimeoutMs : undefined;
  }

  record(ok: boolean): Transition | undefined {
    if (this.#state === 'open') return undefined;
    if (!ok) {
      this.#failures += 1;
      this.#successes = 0;
      const trips =
        this.#state === 'half_open' || this.#failures >= this.#settings.failureThreshold;
      return trips ? this.#moveTo('open') : undefined;
    }
    this.#failures = 0;
    this.#successes += 1;
    const closes =
      this.#state === 'half_open' && this.#successes >= this.#settings.successThreshold;
    return closes ? this.#moveTo('closed') : undefined;
  }

  #moveTo(to: BreakerState): Transition {
    const transition = { from: this.#state, to };
    this.#state = to;
    this.#failures = 0;
    this.#successes = 0;
    if (to === 'open') this.#openedAt = this.#now();
    return transition;
  }
}
