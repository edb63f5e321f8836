// Clients that read nothing, ask for the largest answers over and over, or send huge queries,
// against the real sidecar process watching 1000 targets: /healthz must keep answering within a
// second, memory must stay bounded, and what cannot be served is refused with a reason.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { watchHealthz } from '../helpers/healthz-watcher';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis } from '../helpers/redis-server';
import {
  runSidecar,
  stopAllSidecars,
  writeConfig,
  type SidecarProcess,
} from '../helpers/sidecar-process';

const TARGETS = 1000;
/**
 * What the sidecar may grow by under one attack: a few large answers at a time, not one per
 * client (twenty 17 MB answers held at once would be 340 MB and more). Most of the growth is
 * garbage of answers already sent, which Node 24's V8 collects later than Node 20's: in the
 * page storm on one machine, Node 20 grew by 50-107 MiB, Node 24 by 176-186 (and by 215-268
 * before large answers shared one budget per event-loop turn).
 */
const RSS_GROWTH_MIB = Number(process.versions.node.split('.')[0]) >= 22 ? 256 : 160;

let sidecar: SidecarProcess;
let base: string;
let configFile: string;
let pid: number;

const rssMiB = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const openFiles = () => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Watches /healthz (from its own process) and RSS while `attack` runs; the worst seen. */
async function watchWhile(attack: Promise<unknown>) {
  const healthz = watchHealthz(`${base}/healthz`);
  let running = true;
  void attack.finally(() => (running = false));
  let worstRss = rssMiB();
  while (running) {
    worstRss = Math.max(worstRss, rssMiB());
    await sleep(100);
  }
  await attack;
  const { worstMs, failures } = await healthz.stop();
  return { worstHealthzMs: worstMs, worstRss, failures };
}

beforeAll(async () => {
  const redis = await startRedis();
  const targets = Array.from(
    { length: TARGETS },
    (_, i) => `  - { name: t${i}, url: 'redis://${redis.host}:${redis.port}/0' }`,
  );
  configFile = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 5s, timeout: 1s }
http: { sendTimeout: 2s }
targets:
${targets.join('\n')}
`);
  sidecar = runSidecar(['--config', configFile]);
  base = await sidecar.ready();
  pid = sidecar.child.pid!;
  // Every target probed once, so every page is at its full size.
  for (let i = 0; i < 100; i += 1) {
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ up: boolean | null }>;
    };
    if (status.targets.every((target) => target.up === true)) break;
    await sleep(200);
  }
}, 60_000);

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

test('300 clients that ask for /metrics and never read are cut off; memory stays bounded', async () => {
  const page = (await httpGet(`${base}/metrics`)).body.length;
  const before = rssMiB();
  const filesBefore = openFiles();
  const sockets: Socket[] = [];
  const answered = { ok: 0, busy: 0 };
  const attack = (async () => {
    for (let i = 0; i < 300; i += 1) {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /metrics HTTP/1.1\r\nHost: sidecar\r\n\r\n');
      // Read the status line only, then stop reading: the kernel's buffers fill, then ours would.
      socket.once('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1', 0, 12);
        if (line.endsWith('200')) answered.ok += 1;
        if (line.endsWith('503')) answered.busy += 1;
        socket.pause();
      });
      sockets.push(socket);
      if (i % 20 === 19) await sleep(50);
    }
    await sleep(2000);
  })();
  const { worstHealthzMs, worstRss, failures } = await watchWhile(attack);
  // Past twice the send timeout (2 s) and the keep-alive timeout (5 s), every unread answer
  // has been dropped and its socket closed.
  await sleep(7000);
  const filesAfter = openFiles();
  console.log(
    `non-reading clients: ${page} B page, ${answered.ok} answered, ${answered.busy} refused; ` +
      `/healthz worst ${worstHealthzMs.toFixed(0)} ms; RSS ${before.toFixed(0)} → ` +
      `${worstRss.toFixed(0)} MiB at most; open files ${filesBefore} → ${filesAfter} after the send timeout`,
  );
  for (const socket of sockets) socket.destroy();
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
  expect(worstRss - before).toBeLessThan(RSS_GROWTH_MIB);
  expect(filesAfter).toBeLessThan(filesBefore + 20);
}, 60_000);

test('20 clients asking for /status?history=1 and the status page for 8 s', async () => {
  const before = rssMiB();
  const counts = { ok: 0, busy: 0, dropped: 0, other: 0 };
  const until = Date.now() + 8000;
  const client = async (path: string) => {
    while (Date.now() < until) {
      const reply = await httpGet(`${base}${path}`).catch(() => undefined);
      if (reply === undefined) counts.dropped += 1;
      else if (reply.status === 200) counts.ok += 1;
      else if (reply.status === 503 && reply.headers['retry-after'] !== undefined) {
        counts.busy += 1;
        await sleep(100);
      } else counts.other += 1;
    }
  };
  const clients = Array.from({ length: 20 }, (_, i) => client(i % 2 ? '/status?history=1' : '/'));
  const { worstHealthzMs, worstRss, failures } = await watchWhile(Promise.all(clients));
  console.log(
    `heavy-page storm: ${counts.ok} answered, ${counts.busy} refused with Retry-After, ` +
      `${counts.dropped} dropped past the send timeout; ` +
      `/healthz worst ${worstHealthzMs.toFixed(0)} ms; RSS ${before.toFixed(0)} → ${worstRss.toFixed(0)} MiB at most`,
  );
  expect(counts.other).toBe(0);
  expect(counts.ok).toBeGreaterThan(0);
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
  expect(worstRss - before).toBeLessThan(RSS_GROWTH_MIB);
}, 60_000);

test('20 clients sending /readyz?exclude= with 2,900 names for 5 s', async () => {
  const names = Array.from({ length: 2900 }, (_, i) => `t${i}`).join(',');
  const counts = new Map<number, number>();
  const until = Date.now() + 5000;
  const client = async () => {
    while (Date.now() < until) {
      const reply = await httpGet(`${base}/readyz?exclude=${names}`);
      counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
    }
  };
  const { worstHealthzMs, failures } = await watchWhile(
    Promise.all(Array.from({ length: 20 }, client)),
  );
  console.log(
    `huge exclude: answers ${JSON.stringify([...counts])}; /healthz worst ${worstHealthzMs.toFixed(0)} ms`,
  );
  expect([...counts.keys()]).toEqual([400]);
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
}, 60_000);

test('a config grown past 4 MiB is refused at reload; the sidecar keeps running', async () => {
  const original = readFileSync(configFile, 'utf8');
  writeFileSync(configFile, `${original}# ${'x'.repeat(5 * 2 ** 20)}\n`);
  sidecar.kill('SIGHUP');
  const { worstHealthzMs, failures } = await watchWhile(sleep(2000));
  writeFileSync(configFile, original);
  const refused = sidecar.logs().find((line) => String(line.msg).includes('reload failed'));
  console.log(
    `oversized config at reload: /healthz worst ${worstHealthzMs.toFixed(0)} ms; ${JSON.stringify(refused).slice(0, 200)}`,
  );
  expect(JSON.stringify(refused)).toMatch(/4 MiB/);
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
}, 30_000);

test('a 4 MiB config of 95,000 small targets at reload: parsed aside, refused by count', async () => {
  const original = readFileSync(configFile, 'utf8');
  const many = Array.from({ length: 95_000 }, (_, i) => `  - {name: x${i}, url: 'redis://h:1'}`);
  writeFileSync(configFile, `listen: 127.0.0.1:0\ntargets:\n${many.join('\n')}\n`);
  const logged = sidecar.logs().length;
  sidecar.kill('SIGHUP');
  const refusal = async () => {
    for (let i = 0; i < 300; i += 1) {
      const line = sidecar
        .logs()
        .slice(logged)
        .find((entry) => /reload/.test(String(entry.msg)));
      if (line !== undefined) return line;
      await sleep(100);
    }
    return undefined;
  };
  const started = performance.now();
  const answered = refusal();
  const { worstHealthzMs, failures } = await watchWhile(answered);
  const refused = await answered;
  writeFileSync(configFile, original);
  console.log(
    `95,000-target config at reload: answered in ${(performance.now() - started).toFixed(0)} ms, ` +
      `/healthz worst ${worstHealthzMs.toFixed(0)} ms; ${JSON.stringify(refused).slice(0, 240)}`,
  );
  expect(JSON.stringify(refused)).toMatch(/95000 targets for one process, more than 10000/);
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
}, 60_000);

test('40 clients that hang up halfway through a large answer', async () => {
  const hangUps = ['/metrics', '/status?history=1'].flatMap((path) =>
    Array.from(
      { length: 20 },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(new URL(base).port), '127.0.0.1');
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
          socket.write(`GET ${path} HTTP/1.1\r\nHost: sidecar\r\n\r\n`);
          socket.once('data', () => socket.resetAndDestroy());
        }),
    ),
  );
  const { worstHealthzMs, failures } = await watchWhile(
    Promise.all(hangUps).then(() => sleep(500)),
  );
  expect(failures).toBe(0);
  expect(worstHealthzMs).toBeLessThan(1000);
}, 30_000);

test('through all of it, nothing was written outside the JSON logs', () => {
  expect(sidecar.stderr()).toBe('');
  expect(
    sidecar
      .stdout()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('{')),
  ).toEqual([]);
});
