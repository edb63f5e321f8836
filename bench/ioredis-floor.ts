// The floor under the sidecar's memory at N targets: Node, the packages the sidecar serves with,
// its config loaded, and one ioredis client per target with the sidecar's connection options,
// each sending PING every second, nothing else. Prints `{"ok":N,"failed":M}` after each round.
//   node .bench-build/bench/ioredis-floor.js CONFIG
import '@koa/router';
import 'koa';
import 'pino';
import 'prom-client';
import Redis from 'ioredis';
import { loadConfig } from '../src/config';
import { connectionOptions } from '../src/redis/connection-options';

const config = loadConfig({ file: process.argv[2] }, process.env);
const clients = config.targets.map((target) => {
  const client = new Redis(connectionOptions(target));
  client.on('error', () => undefined);
  return client;
});

async function round(): Promise<void> {
  const replies = await Promise.allSettled(
    clients.map(async (client) => {
      if (client.status !== 'ready') await client.connect();
      return client.ping();
    }),
  );
  const ok = replies.filter((reply) => reply.status === 'fulfilled').length;
  process.stdout.write(`${JSON.stringify({ ok, failed: replies.length - ok })}\n`);
}

setInterval(() => void round(), 1000);
