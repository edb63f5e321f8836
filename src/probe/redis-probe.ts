import type { WriteCanary } from '../config/types';
import { safeMessage } from '../logging/redact';
import type { ProbeReport } from './report';
import { isInconclusive } from './result';
import { runCommand, runProbe, type ProbeConnection, type StallGauge } from './run-probe';
import { parseServerFacts } from './server-facts';
import { runPubsubCheck, type PubsubSubscriber } from './pubsub-check';
import { runWriteCanary } from './write-canary';
import type { FactsView } from './views';

export interface RedisProbeOptions {
  timeoutMs: number;
  infoIntervalMs: number;
  write?: WriteCanary | undefined;
  /** The pub/sub round trip, when configured. */
  pubsub?: { channel: string; subscriber: PubsubSubscriber } | undefined;
  /** How long the sidecar itself was stalled, to tell its own stalls from Redis's silence. */
  stalled?: StallGauge | undefined;
}

export interface RedisProbe {
  /** PING (and the write canary when configured); INFO too when it is due. */
  probe(): Promise<ProbeReport>;
}

/**
 * Probes one Redis server: PING every probe, the write canary after a PONG, and INFO every
 * `infoIntervalMs` while the server answers at all (LOADING and MASTERDOWN included), all
 * within one `timeoutMs`. A failed INFO leaves the probe's result alone: the facts go stale
 * and say why.
 */
export function createRedisProbe(
  connection: ProbeConnection,
  options: RedisProbeOptions,
  now: () => number = Date.now,
): RedisProbe {
  let view: FactsView = {};
  let infoDueAt = -Infinity;

  const readInfo = async (timeoutMs: number) => {
    infoDueAt = now() + options.infoIntervalMs;
    const info = await runCommand(connection, ['INFO'], timeoutMs, options.stalled);
    if (!info.ok) {
      view = { ...view, error: `${info.reason}: ${info.message}` };
      return;
    }
    try {
      view = { facts: parseServerFacts(String(info.reply)), readAt: now() };
    } catch (error) {
      view = { ...view, error: safeMessage((error as Error).message) };
    }
  };

  let silentInARow = 0;
  return {
    async probe() {
      const started = now();
      const remaining = () => Math.floor(options.timeoutMs - (now() - started));
      const ping = await runProbe(connection, options.timeoutMs, options.stalled);
      // An inconclusive timeout keeps the connection; one silent through two in a row is
      // rebuilt all the same, so a half-open link cannot hold it while the sidecar is starved.
      silentInARow = isInconclusive(ping) ? silentInARow + 1 : 0;
      if (silentInARow >= 2) connection.drop();
      let result = ping;
      if (ping.ok && options.write !== undefined && remaining() > 0) {
        const written = await runWriteCanary(
          connection,
          options.write,
          remaining(),
          options.stalled,
        );
        if (!written.ok) result = written;
      }
      let pubsubSeconds: number | undefined;
      const { pubsub } = options;
      if (result.ok && pubsub !== undefined && remaining() > 0) {
        const { channel, subscriber } = pubsub;
        const trip = await runPubsubCheck(
          connection,
          subscriber,
          channel,
          remaining(),
          options.stalled,
        );
        if (trip.ok) pubsubSeconds = trip.seconds;
        else result = trip;
      }
      // INFO works on a loading server and on a replica cut off from its master.
      const answered = ping.ok || ping.reason === 'loading' || ping.reason === 'masterdown';
      // INFO waits for a probe with half its time left: under CPU pressure it would only add
      // work and turn a good probe into a timeout.
      const roomy = remaining() >= options.timeoutMs / 2;
      if (answered && now() >= infoDueAt && roomy) await readInfo(remaining());
      return { result, info: view, ...(pubsubSeconds !== undefined && { pubsubSeconds }) };
    },
  };
}
