import Redis from 'ioredis';
import type { Target } from '../config/types';
import type { PubsubSubscriber } from './connections';
import { saidBeforeClosing } from './connection-errors';
import { connectionOptions, refreshAccess } from './connection-options';
import { dropClient, quit, settle } from './create-connection';
import { ConnectError } from './access';
import { ReplyLimit } from './reply-limit';

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
  // Messages come unasked, so a reply is what arrives between two of them.
  const reply = new ReplyLimit();
  client.on('connect', () => {
    client.stream.prependListener('data', (chunk: Buffer) => {
      lastChunk = chunk;
      const refused = reply.take(chunk);
      if (refused === undefined) return;
      dropClient(client);
      lastError = new ConnectError('protocol', `${refused}: connection dropped`);
    });
  });
  const waiting = new Map<string, () => void>();
  client.on('message', (from: string, message: string) => {
    reply.reset();
    if (from === channel) waiting.get(message)?.();
  });
  return {
    async ready() {
      if (client.status === 'ready') return;
      await settle(client);
      lastChunk = undefined;
      lastError = undefined;
      reply.reset();
      refreshAccess(client, target);
      try {
        await client.connect();
        await client.subscribe(channel);
        reply.reset();
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
    drop: () => dropClient(client),
    close: (timeoutMs) => quit(client, timeoutMs),
  };
}
