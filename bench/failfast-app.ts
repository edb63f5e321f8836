// The application of bench step `failfast`: a Node HTTP server answering each request from
// Redis (ioredis, 1 s command timeout) or, on error, with a fallback answer. How it decides to
// skip Redis is the variant under test:
//   none   — always asks Redis, waits out the timeout;
//   own    — its own consecutive-failure breaker with the seeds' defaults (5 failures, 60 s,
//            2 successes): the breaker module of this repository, the design those apps use;
//   watch  — follows the sidecar's /watch with redis-health-sidecar/client and guard().
// Usage: node failfast-app.js VARIANT REDIS_PORT [SIDECAR_URL]; prints `listening PORT`.
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { createBreaker } from '../src/breaker/breaker';
import { watchTargets } from '../src/client';

const [variant = 'none', redisPort = '6379', sidecarUrl = ''] = process.argv.slice(2);
const redis = new Redis({ port: Number(redisPort), commandTimeout: 1000, lazyConnect: false });
redis.on('error', () => undefined);

type Source = 'redis' | 'fallback';
const fromRedis = async (): Promise<Source> => {
  await redis.get('failfast:key');
  return 'redis';
};
const fallback = (): Source => 'fallback';

/** Delays from a sidecar transition (its `since`) to this process's callback, in ms. */
const callbackDelays: number[] = [];

function answerWith(): () => Promise<Source> {
  if (variant === 'own') {
    const breaker = createBreaker(
      { failureThreshold: 5, recoveryTimeoutMs: 60_000, successThreshold: 2 },
      Date.now,
    );
    return async () => {
      if (!breaker.permit().allowed) return fallback();
      try {
        const source = await fromRedis();
        breaker.record(true);
        return source;
      } catch {
        breaker.record(false);
        return fallback();
      }
    };
  }
  if (variant === 'watch') {
    const watch = watchTargets({ url: sidecarUrl });
    watch.onChange((state) => {
      if (state.breaker !== 'unknown') callbackDelays.push(Date.now() - Date.parse(state.since));
    });
    return () => watch.guard('main', fromRedis, fallback);
  }
  return () => fromRedis().catch(fallback);
}

const answer = answerWith();
const server = createServer((req, res) => {
  if (req.url === '/stats') {
    res.end(JSON.stringify({ callbackDelays }));
    return;
  }
  void answer().then((source) => res.end(source));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') console.log(`listening ${address.port}`);
});
