/** The three states of a circuit breaker, as they appear in the `state` label. */
export type BreakerState = 'closed' | 'open' | 'half_open';

export const breakerStates: readonly BreakerState[] = ['closed', 'open', 'half_open'];

export interface Transition {
  from: BreakerState;
  to: BreakerState;
}

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
  let state: BreakerState = 'closed';
  let failures = 0;
  let successes = 0;
  let openedAt = 0;

  const moveTo = (to: BreakerState): Transition => {
    const transition = { from: state, to };
    state = to;
    failures = 0;
    successes = 0;
    if (to === 'open') openedAt = now();
    return transition;
  };

  return {
    get state() {
      return state;
    },
    permit() {
      if (state !== 'open') return { allowed: true };
      if (now() - openedAt < settings.recoveryTimeoutMs) return { allowed: false };
      return { allowed: true, transition: moveTo('half_open') };
    },
    retryAt() {
      return state === 'open' ? openedAt + settings.recoveryTimeoutMs : undefined;
    },
    record(ok) {
      if (state === 'open') return undefined;
      if (!ok) {
        failures += 1;
        successes = 0;
        if (state === 'half_open' || failures >= settings.failureThreshold) return moveTo('open');
        return undefined;
      }
      failures = 0;
      successes += 1;
      if (state === 'half_open' && successes >= settings.successThreshold) return moveTo('closed');
      return undefined;
    },
  };
}
