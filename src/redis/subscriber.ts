import Redis from 'ioredis';
import type { Target } from '../config/types';
import type { PubsubSubscriber } from '../probe/pubsub-check';
import {
  connectionOptions,
  quit,
  refreshAccess,
  saidBeforeClosing,
  settle,
} from './create-connection';

/**
 * The second connection of a target with `pubsub`: subscribed to its channel, it hands each
 * message to whoever waits for that payload. Like the probe connection it never reconnects on
 * its own; `ready()` connects and subscribes again when it was lost.
 */
export function createSubscriber(
  target: Target,
  channel: string,
): PubsubSubscriber & {
  close(timeoutMs: number): Promise<void>;
} {
  const client = new Redis({
    ...connectionOptions(target),
    connectionName: 'redis-health-sidecar:pubsub',
  });
  // A refused connection's reason is in the bytes before the close (maxclients): keep them.
  let lastChunk: Buffer | undefined;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = saidBeforeClosing(error, lastChunk) ?? error));
  client.on('connect', () => {
    client.stream.prependListener('data', (chunk: Buffer) => (lastChunk = chunk));
  });
  const waiting = new Map<string, () => void>();
  client.on('message', (from: string, message: string) => {
    if (from === channel) waiting.get(message)?.();
  });
  return {
    async ready() {
      if (client.status === 'ready') return;
      await settle(client);
      lastChunk = undefined;
      lastError = undefined;
      refreshAccess(client, target);
      try {
        await client.connect();
        await client.subscribe(channel);
      } catch (error) {
        // ioredis's "Connection is closed." hides what the server said.
        throw lastError ?? error;
      }
    },
    arrival(payload) {
      let forget = () => undefined as void;
      const arrived = new Promise<void>((resolve) => {
        waiting.set(payload, resolve);
        forget = () => void waiting.delete(payload);
      });
      return { arrived, forget };
    },
    drop() {
      client.disconnect();
    },
    close: (timeoutMs) => quit(client, timeoutMs),
  };
}
