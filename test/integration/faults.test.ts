// Network faults through a TCP proxy and real process faults against real redis-server
// processes. For each: the reason reported, /readyz/NAME flipping and coming back within the
// breaker's bounds, no crash, no unhandled rejection, no reconnect storm, nothing queued.
import Redis from 'ioredis';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

const INTERVAL = 150;
const TIMEOUT = 100;
const FAILURES = 2;
const RECOVERY = 500;
/** failureThreshold × interval + timeout, plus one interval (the design's bound and its slack). */
const DETECT_BOUND = FAILURES * INTERVAL + TIMEOUT + INTERVAL;
/** recoveryTimeout + successThreshold × interval, plus one interval. */
const RECOVER_BOUND = RECOVERY + 1 * INTERVAL + INTERVAL;
/** Timers and polling on a busy 2-core machine. */
const SLACK = 250;

let base: string;
let proxy: FaultProxy;
let upstream: RedisServer; // behind the proxy
let plain: RedisServer; // killed, paused, restarted, DEBUG SLEEP
let secured: RedisServer; // requirepass and an ACL user
let limited: RedisServer; // maxclients lowered in a test

const problems: unknown[] = [];
const onProblem = (error: unknown) => problems.push(error);
const measured: Array<{ fault: string; reason: string; detectMs: number; recoverMs: number }> = [];

const readyz = async (name: string) => (await httpGet(`${base}/readyz/${name}`)).status;
const lastReason = async (name: string) => {
  const body = JSON.parse((await httpGet(`${base}/status`)).body) as {
    targets: Array<{ name: string; lastError: { reason: string } | null }>;
  };
  return body.targets.find((target) => target.name === name)?.lastError?.reason;
};
const pingCalls = async (server: RedisServer) => {
  const info = String(await server.command('INFO', 'commandstats'));
  return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
};

/** Injects a fault, times /readyz/NAME → 503, checks the reason, restores, times → 200. */
async function outage(
  fault: string,
  name: string,
  inject: () => Promise<unknown>,
  restore: () => Promise<unknown>,
  reason: string,
) {
  await waitFor(`${name} ready before ${fault}`, async () => (await readyz(name)) === 200);
  await inject();
  const detectMs = await waitFor(
    `${name} unready after ${fault}`,
    async () => (await readyz(name)) === 503,
    {
      timeoutMs: 5000,
      everyMs: 10,
    },
  );
  expect(await lastReason(name)).toBe(reason);
  await restore();
  const recoverMs = await waitFor(
    `${name} ready after ${fault}`,
    async () => (await readyz(name)) === 200,
    {
      timeoutMs: 5000,
      everyMs: 10,
    },
  );
  measured.push({
    fault,
    reason,
    detectMs: Math.round(detectMs),
    recoverMs: Math.round(recoverMs),
  });
  expect(detectMs).toBeLessThan(DETECT_BOUND + SLACK);
  expect(recoverMs).toBeLessThan(RECOVER_BOUND + SLACK);
}

beforeAll(async () => {
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
  upstream = await startRedis({ processOnly: true });
  proxy = await startFaultProxy(upstream);
  plain = await startRedis({ processOnly: true, args: ['--enable-debug-command', 'yes'] });
  secured = await startRedis({ processOnly: true, password: 'old-secret' });
  await secured.command('ACL', 'SETUSER', 'app', 'on', '>app-secret', '+ping', '+info');
  limited = await startRedis({ processOnly: true });
  ({ base } = await startTestSidecar(`
listen: 127.0.0.1:0
defaults:
  interval: ${INTERVAL}ms
  timeout: ${TIMEOUT}ms
  breaker: { failureThreshold: ${FAILURES}, recoveryTimeout: ${RECOVERY}ms, successThreshold: 1 }
targets:
  - { name: net, url: '${proxy.url()}' }
  - { name: plain, url: '${plain.url}' }
  - { name: password, url: '${secured.url}', password: old-secret }
  - { name: acl, url: '${secured.url}', username: app, password: app-secret }
  - { name: limited, url: '${limited.url}' }
`));
}, 30_000);

afterAll(async () => {
  await stopTestSidecars();
  await proxy.close();
  await stopAllRedis();
  process.off('unhandledRejection', onProblem);
  process.off('uncaughtException', onProblem);
  console.log(
    [
      'fault | reason | unready after | ready again after',
      ...measured.map((m) => `${m.fault} | ${m.reason} | ${m.detectMs} ms | ${m.recoverMs} ms`),
    ].join('\n'),
  );
});

afterEach(() => {
  expect(problems).toEqual([]);
});

describe('network faults (TCP proxy)', () => {
  test('black hole: timeout', async () => {
    await outage(
      'black hole',
      'net',
      () => proxy.set('blackhole'),
      () => proxy.set('pass'),
      'timeout',
    );
  });

  test('added latency below the timeout is reported, not failed; above it is a timeout', async () => {
    await proxy.set('pass');
    await waitFor('net ready', async () => (await readyz('net')) === 200, { timeoutMs: 5000 });
    await proxy.set('latency', { latencyMs: 40 });
    await waitFor('latency seen', async () => {
      const body = JSON.parse((await httpGet(`${base}/status`)).body) as {
        targets: Array<{ name: string; latencyMs: number | null }>;
      };
      return (body.targets.find((t) => t.name === 'net')?.latencyMs ?? 0) >= 40;
    });
    expect(await readyz('net')).toBe(200);
    await outage(
      'latency above the timeout',
      'net',
      () => proxy.set('latency', { latencyMs: TIMEOUT * 2 }),
      () => proxy.set('pass'),
      'timeout',
    );
  });

  test('reset in the middle of a reply: closed', async () => {
    await outage(
      'reset mid-reply',
      'net',
      () => proxy.set('reset'),
      () => proxy.set('pass'),
      'closed',
    );
  });

  test('refused: refused', async () => {
    await outage(
      'refused',
      'net',
      () => proxy.set('refuse'),
      () => proxy.set('pass'),
      'refused',
    );
  });

  test('a 10 s black hole: no reconnect storm, and no burst of queued commands after it', async () => {
    await proxy.set('pass');
    await waitFor('net ready', async () => (await readyz('net')) === 200, { timeoutMs: 5000 });
    await proxy.set('blackhole');
    await waitFor('net unready', async () => (await readyz('net')) === 503, { timeoutMs: 5000 });
    const before = proxy.accepted();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const connections = proxy.accepted() - before;
    // The open breaker sends one trial probe per recoveryTimeout, each on a fresh connection.
    expect(connections).toBeLessThanOrEqual(10_000 / RECOVERY + 2);
    console.log(`10 s black hole: ${connections} connections (one trial per ${RECOVERY} ms)`);

    await proxy.set('pass');
    await waitFor('net ready', async () => (await readyz('net')) === 200, { timeoutMs: 5000 });
    const start = await pingCalls(upstream);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // About one PING per interval; queued probes from the outage would arrive as a burst.
    expect((await pingCalls(upstream)) - start).toBeLessThanOrEqual(1000 / INTERVAL + 3);
  }, 30_000);
});

describe('process faults', () => {
  test('SIGKILL, then restart: refused', async () => {
    await outage(
      'SIGKILL + restart',
      'plain',
      () => plain.kill(),
      () => plain.restart(),
      'refused',
    );
  });

  test('SIGSTOP, then SIGCONT: timeout', async () => {
    await outage(
      'SIGSTOP + SIGCONT',
      'plain',
      () => plain.pause(),
      () => plain.resume(),
      'timeout',
    );
  });

  test('DEBUG SLEEP: timeout while it sleeps, ready when it wakes', async () => {
    let sleeping: Promise<unknown> = Promise.resolve();
    await outage(
      'DEBUG SLEEP 1',
      'plain',
      () => {
        sleeping = plain.command('DEBUG', 'SLEEP', '1'); // not awaited: it returns on waking
        return Promise.resolve();
      },
      () => sleeping, // the fault ends when Redis wakes
      'timeout',
    );
  });

  test('CLIENT KILL of the sidecar connection: one new connection, readiness holds', async () => {
    const ids = async () =>
      String(await plain.command('CLIENT', 'LIST', 'TYPE', 'normal'))
        .split('\n')
        .filter((line) => line.includes('cmd=ping'))
        .map((line) => /id=(\d+)/.exec(line)?.[1]);
    await waitFor('the sidecar connection', async () => (await ids()).length === 1);
    const [before] = await ids();
    await plain.command('CLIENT', 'KILL', 'ID', before!);
    const states = new Set<number>();
    await waitFor('a new connection', async () => {
      states.add(await readyz('plain'));
      const now = await ids();
      return now.length === 1 && now[0] !== before;
    });
    expect([...states]).toEqual([200]);
  });

  test('password changed: auth; changed back: ready', async () => {
    const conn = await admin(secured, 'old-secret'); // stays authenticated through the change
    await outage(
      'password changed',
      'password',
      // Connections stay authenticated; the sidecar's next one (here after a kill) is refused.
      () =>
        conn
          .pipeline()
          .config('SET', 'requirepass', 'new-secret')
          .call('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes')
          .exec(),
      () => conn.config('SET', 'requirepass', 'old-secret'),
      'auth',
    ).finally(() => conn.disconnect());
  });

  test('ACL user disabled: auth; enabled again: ready', async () => {
    const conn = await admin(secured, 'old-secret');
    await outage(
      'ACL user disabled',
      'acl',
      () =>
        conn.pipeline().acl('SETUSER', 'app', 'off').call('CLIENT', 'KILL', 'USER', 'app').exec(),
      () => conn.acl('SETUSER', 'app', 'on'),
      'auth',
    ).finally(() => conn.disconnect());
  });

  test('maxclients reached: error with the server words; room again: ready', async () => {
    const conn = await admin(limited);
    const sidecarId = String(await conn.call('CLIENT', 'LIST', 'TYPE', 'normal'))
      .split('\n')
      .find((line) => line.includes('name=redis-health-sidecar'))
      ?.match(/id=(\d+)/)?.[1];
    expect(sidecarId).toBeDefined();
    await outage(
      'maxclients reached',
      'limited',
      // Only this admin connection fits; the sidecar's reconnect is turned away.
      () =>
        conn
          .pipeline()
          .config('SET', 'maxclients', '1')
          .call('CLIENT', 'KILL', 'ID', sidecarId!)
          .exec(),
      () => conn.config('SET', 'maxclients', '100'),
      // Redis answers "max number of clients reached" and closes the socket at once; the
      // client library sees the close (EPIPE), the sidecar reads the reply's bytes.
      'error',
    ).finally(() => conn.disconnect());
  });
});

test('after all of it the sidecar is alive and well', async () => {
  expect((await httpGet(`${base}/healthz`)).status).toBe(200);
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
});

/** An admin connection of the test's own, authenticated as the default user. */
async function admin(server: RedisServer, password?: string): Promise<Redis> {
  const conn = new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    protocol: 2,
    disableClientInfo: true,
    ...(password !== undefined && { password }),
  });
  conn.on('error', () => undefined);
  await conn.connect();
  return conn;
}
