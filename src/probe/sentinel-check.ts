import { safeMessage } from '../logging/redact';
import type { FreshConnection } from './connect-check';
import { QUIT_TIMEOUT_MS } from './report';
import { runCommand, type StallGauge } from './run-probe';
import type { SentinelAnswer, SentinelView } from './views';

export interface SentinelCheckOptions {
  masterName: string;
  /** HOST:PORT of each configured sentinel. */
  addresses: readonly string[];
  everyMs: number;
  timeoutMs: number;
  stalled?: StallGauge | undefined;
}

export interface SentinelCheck {
  /** Asks every sentinel when due; resolves to the last round (undefined before the first). */
  run(): Promise<SentinelView | undefined>;
}

/**
 * Asks each configured sentinel `SENTINEL CKQUORUM <master>` on a connection of its own, all at
 * once and every `everyMs` (the INFO schedule), against the sentinels only: how many answer,
 * and whether they could still agree on a failover. A master reachable through one surviving
 * sentinel looks healthy to PING while the next failover cannot happen.
 */
export function createSentinelCheck(
  open: (address: string) => FreshConnection,
  options: SentinelCheckOptions,
  now: () => number = Date.now,
): SentinelCheck {
  let dueAt = -Infinity;
  let view: SentinelView | undefined;
  /** One sentinel's answer; undefined when its silence says more about the sidecar's own stall. */
  const ask = async (address: string): Promise<SentinelAnswer | undefined> => {
    const connection = open(address);
    const command = ['SENTINEL', 'CKQUORUM', options.masterName] as const;
    const reply = await runCommand(connection, command, options.timeoutMs, options.stalled);
    void connection.close(QUIT_TIMEOUT_MS); // in the background
    if (reply.ok) return { address, answered: true, message: safeMessage(String(reply.reply)) };
    if (reply.reason === 'inconclusive') return undefined;
    // NOQUORUM is an error reply, but an answer all the same.
    const answered = reply.message.startsWith('NOQUORUM');
    const message = answered ? reply.message : `${reply.reason}: ${reply.message}`;
    return { address, answered, message };
  };
  return {
    async run() {
      if (now() < dueAt) return view;
      dueAt = now() + options.everyMs;
      const answers = await Promise.all(options.addresses.map(ask));
      const sentinels = answers.filter((answer) => answer !== undefined);
      if (sentinels.length < answers.length) {
        dueAt = now(); // the sidecar was stalled: ask again at the next probe
        return view;
      }
      view = {
        configured: sentinels.length,
        answering: sentinels.filter((sentinel) => sentinel.answered).length,
        quorum: sentinels.some((sentinel) => sentinel.message.startsWith('OK')),
        sentinels,
        at: now(),
      };
      return view;
    },
  };
}
