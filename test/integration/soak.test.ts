// Soak: hundreds of targets on redis-server processes that keep failing (killed, restarted,
// frozen) for SOAK_SECONDS (default 120; set it higher for a longer run). Afterwards the
// sidecar's memory and open files are back near where they started, its event loop never
// stalled, and its HTTP answers stayed fast.
import { readFileSync, readdirSync } from 'node:fs';
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const SERVERS = 4;
const DBS_PER_SERVER = 50; // 200 targets

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

let servers: RedisServer[];

afterAll(async () => {
  stopAllSidecars();
  await stopAllRedis();
});

test(
  `soak: ${SERVERS * DBS_PER_SERVER} targets, servers flapping for ${SOAK_SECONDS} s`,
  async () => {
    servers = await Promise.all(
      Array.from({ length: SERVERS }, () =>
        startRedis({ processOnly: true, args: ['--databases', '64'] }),
      ),
    );
    const targets = servers.flatMap((server, s) =>
      Array.from(
        { length: DBS_PER_SERVER },
        (_, db) => `  - { name: s${s}-db${db}, url: '${server.url.replace(/\/0$/, `/${db}`)}' }`,
      ),
    );
    const sidecar = runSidecar([
      '--config',
      writeConfig(`listen: 127.0.0.1:0
log: { level: info } # "started" is an info line
defaults:
  interval: 500ms
  timeout: 250ms
  infoInterval: 5s
  breaker: { failureThreshold: 2, recoveryTimeout: 1s, successThreshold: 1 }
targets:
${targets.join('\n')}
`),
    ]);
    const base = await sidecar.ready();
    const pid = sidecar.child.pid!;
    const upCount = async () =>
      (await httpGet(`${base}/metrics`)).body
        .split('\n')
        .filter((line) => /^redis_health_up\{.*\} 1$/.test(line)).length;
    await waitFor('every target up', async () => (await upCount()) === targets.length, {
      timeoutMs: 30_000,
      everyMs: 250,
    });
    // Warm up: JIT, INFO on every target, and one fault on each server so that the failure
    // paths have run once too; then the baseline.
    for (const server of servers) {
      await server.kill();
      await sleep(2000);
      await server.restart();
    }
    await waitFor(
      'every target up after the warm-up',
      async () => (await upCount()) === targets.length,
      {
        timeoutMs: 30_000,
        everyMs: 250,
      },
    );
    await sleep(5000);
    const heapMiB = async () =>
      Number(
        /^nodejs_heap_size_used_bytes (\S+)$/m.exec((await httpGet(`${base}/metrics`)).body)?.[1],
      ) /
      2 ** 20;
    const baseline = { rss: rssMiB(pid), fds: openFds(pid), heap: await heapMiB() };

    // Every second: the event loop's worst delay since the last scrape, and how long HTTP took.
    const lagMs: number[] = [];
    const httpMs: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const metrics = await httpGet(`${base}/metrics`);
        const health = await httpGet(`${base}/healthz`);
        expect(health.status).toBe(200);
        httpMs.push(metrics.ms, health.ms);
        const max = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(metrics.body)?.[1];
        if (max !== undefined) lagMs.push(Number(max) * 1000);
        await sleep(1000);
      }
    })();

    // Flap: each round, one server is killed and restarted or frozen and thawed, 2 s apart.
    const until = Date.now() + SOAK_SECONDS * 1000;
    let round = 0;
    while (Date.now() < until) {
      const server = servers[round % SERVERS]!;
      if (round % 2 === 0) {
        await server.kill();
        await sleep(2000);
        await server.restart();
      } else {
        await server.pause();
        await sleep(2000);
        await server.resume();
      }
      round += 1;
      await sleep(1000);
    }
    await waitFor('every target up again', async () => (await upCount()) === targets.length, {
      timeoutMs: 30_000,
      everyMs: 250,
    });
    await sleep(5000); // let dropped sockets close and garbage be collected
    sampling = false;
    await sampler;
    const after = { rss: rssMiB(pid), fds: openFds(pid), heap: await heapMiB() };

    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const p99 = (values: number[]) => sorted(values)[Math.floor(values.length * 0.99)] ?? NaN;
    console.log(
      `soak ${SOAK_SECONDS} s, ${round} faults, ${targets.length} targets: ` +
        `RSS ${baseline.rss.toFixed(1)} → ${after.rss.toFixed(1)} MiB, heap used ${baseline.heap.toFixed(1)} → ${after.heap.toFixed(1)} MiB, fds ${baseline.fds} → ${after.fds}, ` +
        `event-loop lag max p99 ${p99(lagMs).toFixed(1)} ms (worst ${Math.max(...lagMs).toFixed(1)} ms), ` +
        `HTTP p99 ${p99(httpMs).toFixed(1)} ms over ${httpMs.length} requests`,
    );
    expect(round).toBeGreaterThanOrEqual(Math.floor(SOAK_SECONDS / 4));
    expect(after.fds).toBeLessThanOrEqual(baseline.fds + 5);
    // Heap used includes garbage not yet collected (nothing forces a GC here) and V8, Node 24's
    // more than 20's, gives freed pages back lazily: both get loose bounds. Seen on 2 cores:
    // heap 45 → 32..90 MiB, RSS 113 → 106..174 MiB; a leak of a few KB per fault and target
    // would still pass, a steady one of tens of MB would not.
    expect(after.heap).toBeLessThan(baseline.heap * 2 + 32);
    expect(after.rss).toBeLessThan(baseline.rss * 1.5 + 16);
    // Generous bounds: other test files run beside this one on two cores, and /metrics of 200
    // targets is some 9000 lines.
    expect(p99(lagMs)).toBeLessThan(250);
    expect(Math.max(...lagMs)).toBeLessThan(1000);
    expect(p99(httpMs)).toBeLessThan(500);
    sidecar.kill('SIGTERM');
    expect((await sidecar.exit()).code).toBe(0);
  },
  (SOAK_SECONDS + 120) * 1000,
);
