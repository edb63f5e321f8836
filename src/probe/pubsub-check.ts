import { safeMessage } from '../logging/redact';
import type { PubsubSubscriber } from '../redis/connections';
import { messageOf } from './classify';
import { STALLED_SHARE } from './report';
import { failure, type ProbeResult } from './result';
import { runCommand, type ProbeConnection, type StallGauge } from './run-probe';

export type { PubsubSubscriber };

let sequence = 0;

/**
 * One pub/sub round trip: PUBLISH a fresh payload on the probe connection, and wait for it on
 * the subscribed one, all within `timeoutMs`. `seconds` is from PUBLISH to arrival.
 */
export async function runPubsubCheck(
  connection: ProbeConnection,
  subscriber: PubsubSubscriber,
  channel: string,
  timeoutMs: number,
  stalled?: StallGauge,
): Promise<ProbeResult> {
  const started = performance.now();
  const startedAt = Date.now();
  const remaining = () => Math.floor(timeoutMs - (performance.now() - started));
  const subscribed = await bounded(subscriber.ready(), remaining());
  if (subscribed !== true) {
    subscriber.drop();
    const why = subscribed === false ? `no subscription within ${timeoutMs}ms` : subscribed;
    return failure('pubsub', `cannot subscribe to "${safeMessage(channel)}": ${why}`);
  }
  sequence += 1;
  const payload = `redis-health-sidecar ${Date.now()} ${sequence}`;
  const { arrived, forget } = subscriber.arrival(payload);
  try {
    const sentAt = performance.now();
    const published = await runCommand(
      connection,
      ['PUBLISH', channel, payload],
      remaining(),
      stalled,
    );
    if (!published.ok) return published;
    if (published.reply === 0) {
      subscriber.drop();
      return failure('pubsub', `PUBLISH to "${safeMessage(channel)}" reached no subscriber`);
    }
    const received = await bounded(arrived, Math.max(1, remaining()));
    if (received === true) return { ok: true, seconds: (performance.now() - sentAt) / 1000 };
    const stalledMs = Math.round(stalled?.(startedAt, Date.now()) ?? 0);
    if (stalledMs > 0 && stalledMs >= STALLED_SHARE * (Date.now() - startedAt)) {
      const message = `no message within ${timeoutMs}ms while the sidecar itself was stalled ${stalledMs}ms`;
      return { ok: false, reason: 'inconclusive', message };
    }
    return failure('pubsub', `no message on "${safeMessage(channel)}" within ${timeoutMs}ms`);
  } finally {
    forget();
  }
}

/** true when `work` settles in time, false when it does not, else its error's message. */
async function bounded(work: Promise<void>, ms: number): Promise<true | false | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        (error: unknown) => safeMessage(messageOf(error)),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
