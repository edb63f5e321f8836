import { createBreaker, type Breaker } from '../../../src/breaker/breaker';

const settings = { failureThreshold: 3, recoveryTimeoutMs: 10_000, successThreshold: 2 };

function setup() {
  let now = 1_000_000;
  const breaker = createBreaker(settings, () => now);
  const advance = (ms: number) => {
    now += ms;
  };
  return { breaker, advance };
}

function fail(breaker: Breaker, times: number) {
  return Array.from({ length: times }, () => breaker.record(false));
}

describe('breaker', () => {
  test('starts closed and permits probes', () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    expect(breaker.permit()).toEqual({ allowed: true });
    expect(breaker.retryAt()).toBeUndefined();
  });

  test('opens after failureThreshold consecutive failures, not before', () => {
    const { breaker } = setup();
    expect(fail(breaker, 2)).toEqual([undefined, undefined]);
    expect(breaker.state).toBe('closed');
    expect(breaker.record(false)).toEqual({ from: 'closed', to: 'open' });
    expect(breaker.state).toBe('open');
  });

  test('a success resets the run of failures', () => {
    const { breaker } = setup();
    fail(breaker, 2);
    breaker.record(true);
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  test('while open it permits nothing until recoveryTimeout has passed', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    expect(breaker.retryAt()).toBe(1_000_000 + 10_000);
    advance(9_999);
    expect(breaker.permit()).toEqual({ allowed: false });
    advance(1);
    expect(breaker.permit()).toEqual({
      allowed: true,
      transition: { from: 'open', to: 'half_open' },
    });
    expect(breaker.state).toBe('half_open');
  });

  test('half_open closes after successThreshold consecutive successes', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    advance(10_000);
    breaker.permit();
    expect(breaker.record(true)).toBeUndefined();
    expect(breaker.state).toBe('half_open');
    expect(breaker.record(true)).toEqual({ from: 'half_open', to: 'closed' });
    expect(breaker.state).toBe('closed');
  });

  test('one failure in half_open opens it again and restarts the recovery wait', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    advance(10_000);
    breaker.permit();
    breaker.record(true);
    advance(500);
    expect(breaker.record(false)).toEqual({ from: 'half_open', to: 'open' });
    expect(breaker.retryAt()).toBe(1_000_000 + 10_500 + 10_000);
    expect(breaker.permit().allowed).toBe(false);
  });

  test('after closing again it needs a full run of failures to reopen', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    advance(10_000);
    breaker.permit();
    breaker.record(true);
    breaker.record(true);
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  test('results recorded while open (a probe that was already under way) change nothing', () => {
    const { breaker } = setup();
    fail(breaker, 3);
    expect(breaker.record(true)).toBeUndefined();
    expect(breaker.state).toBe('open');
  });
});
