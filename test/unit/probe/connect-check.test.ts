import { createConnectCheck, type FreshConnection } from '../../../src/probe/connect-check';

/** Fresh connections that answer PING, or fail their connect with `failWith`. */
function opener() {
  const state = { opened: 0, closed: 0, failWith: undefined as Error | undefined };
  const open = (): FreshConnection => {
    state.opened += 1;
    return {
      connect: () =>
        state.failWith === undefined ? Promise.resolve() : Promise.reject(state.failWith),
      send: () => Promise.resolve('PONG'),
      drop: () => undefined,
      lastError: () => undefined,
      close: () => {
        state.closed += 1;
        return Promise.resolve();
      },
      certificate: () => undefined,
    };
  };
  return { open, state };
}

const options = { everyMs: 60_000, timeoutMs: 100, retryMs: 5_000, random: () => 0 };

test('the first check waits one period (the probe connection has just connected), then one per period', async () => {
  let now = 0;
  const { open, state } = opener();
  const check = createConnectCheck(open, options, () => now);
  expect(await check.run()).toBeUndefined();
  now = 59_999;
  expect(await check.run()).toBeUndefined();
  expect(state.opened).toBe(0);
  now = 60_000;
  expect(await check.run()).toMatchObject({ result: { ok: true }, at: 60_000 });
  now = 100_000;
  await check.run();
  expect(state).toMatchObject({ opened: 1, closed: 1 });
  now = 120_000;
  await check.run();
  expect(state).toMatchObject({ opened: 2, closed: 2 });
});

test('a failing check says why and is retried every retryMs until it passes', async () => {
  let now = 0;
  const { open, state } = opener();
  const check = createConnectCheck(open, options, () => now);
  now = 60_000;
  state.failWith = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
    name: 'ReplyError',
  });
  expect(await check.run()).toMatchObject({ result: { ok: false, reason: 'auth' } });
  now += 4_999;
  await check.run();
  expect(state.opened).toBe(1);
  now += 1;
  state.failWith = undefined;
  expect(await check.run()).toMatchObject({ result: { ok: true } });
  expect(state.opened).toBe(2);
  // Passing again: back to one per period.
  now += 5_000;
  await check.run();
  expect(state.opened).toBe(2);
});

test('connectCheck 0 never opens a connection', async () => {
  let now = 0;
  const { open, state } = opener();
  const check = createConnectCheck(open, { ...options, everyMs: 0 }, () => now);
  for (now = 0; now < 600_000; now += 10_000) await check.run();
  expect(state.opened).toBe(0);
});

test('put off while the kept connection fails: the target is down already', async () => {
  let now = 0;
  const { open, state } = opener();
  const check = createConnectCheck(open, options, () => now);
  now = 60_000;
  await check.run(false);
  now = 70_000;
  await check.run(false);
  expect(state.opened).toBe(0);
  await check.run(true);
  expect(state.opened).toBe(1);
});

test('the first checks of targets started together are spread over the second half of the period', async () => {
  const firstAt = async (random: number) => {
    let now = 0;
    const { open, state } = opener();
    const check = createConnectCheck(open, { ...options, random: () => random }, () => now);
    while (state.opened === 0) {
      now += 1000;
      await check.run();
    }
    return now;
  };
  expect(await firstAt(0)).toBe(60_000);
  expect(await firstAt(0.5)).toBe(45_000);
  expect(await firstAt(0.999)).toBe(31_000);
});
