import { runProbe, type ProbeConnection } from '../../../src/probe/run-probe';

const MS = 1_000_000n;

/**
 * A connection whose reply is handed over `replyAfterMs` after the PING is sent, while its
 * bytes "arrived" `dataAfterMs` after it (undefined: the connection cannot tell).
 */
function fakeConnection(replyAfterMs: number, dataAfterMs?: number) {
  let dataAt: bigint | undefined;
  let dropped = 0;
  const connection: ProbeConnection = {
    connect: async () => undefined,
    send: () => {
      if (dataAfterMs !== undefined) dataAt = process.hrtime.bigint() + BigInt(dataAfterMs) * MS;
      return new Promise((resolve) => setTimeout(() => resolve('PONG'), replyAfterMs));
    },
    drop: () => void (dropped += 1),
    lastError: () => undefined,
    lastDataAt: () => dataAt,
  };
  return { connection, dropped: () => dropped };
}

test('a round trip is timed to when the reply arrived, not to when it was handed over', async () => {
  const { connection } = fakeConnection(40, 2);
  const result = await runProbe(connection, 1000);
  expect(result.ok).toBe(true);
  expect(result.ok && result.seconds).toBeGreaterThanOrEqual(0.002);
  expect(result.ok && result.seconds).toBeLessThan(0.03);
});

test('without an arrival time after the send, the round trip ends at the reply', async () => {
  const { connection } = fakeConnection(40, -5);
  const result = await runProbe(connection, 1000);
  expect(result.ok && result.seconds).toBeGreaterThanOrEqual(0.035);
  const { connection: plain } = fakeConnection(40);
  const withoutArrival: ProbeConnection = { ...plain };
  delete withoutArrival.lastDataAt;
  const plainResult = await runProbe(withoutArrival, 1000);
  expect(plainResult.ok && plainResult.seconds).toBeGreaterThanOrEqual(0.035);
});

test('a round trip starts when the command is handed to the socket, not when it is asked for', async () => {
  // The client spends 30 ms before the write (encoding, queueing, a busy event loop); the
  // reply's bytes arrive 2 ms after the write.
  let writeAt: bigint | undefined;
  let dataAt: bigint | undefined;
  const connection: ProbeConnection = {
    connect: async () => undefined,
    send: () => {
      const busyUntil = Date.now() + 30;
      while (Date.now() < busyUntil);
      writeAt = process.hrtime.bigint();
      dataAt = writeAt + 2n * MS;
      return new Promise((resolve) => setTimeout(() => resolve('PONG'), 10));
    },
    drop: () => undefined,
    lastError: () => undefined,
    lastDataAt: () => dataAt,
    lastWriteAt: () => writeAt,
  };
  const result = await runProbe(connection, 1000);
  expect(result.ok && result.seconds).toBeCloseTo(0.002, 4);
});

test('no reply within the timeout: a timeout, and the connection is dropped', async () => {
  const { connection, dropped } = fakeConnection(200, 1);
  expect(await runProbe(connection, 50)).toEqual({
    ok: false,
    reason: 'timeout',
    message: 'no reply within 50ms',
  });
  expect(dropped()).toBe(1);
});
