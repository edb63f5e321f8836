// Peers that answer like a broken or malicious Redis, against the real sidecar process: it
// must keep answering /healthz within a second, keep its memory bounded, and report a reason
// from the fixed list with a bounded message.
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { httpGet } from '../helpers/http';
import { startHostilePeer, stopHostilePeers, type Hostility } from '../helpers/hostile-peer';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';

const letters = (n: number) => 'A'.repeat(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bulk = (text: string) => `$${text.length}\r\n${text}\r\n`;
/** How long each attack is watched. */
const ATTACK_MS = 6000;
/** What the sidecar may grow by under one attack (one 1 MiB reply at a time, and its copies). */
const RSS_GROWTH_MIB = 64;
/**
 * A nested array's header announces nothing large, so up to 1 MiB of it is parsed: about a
 * quarter million JS numbers and the parser's retries, 40-80 MiB before the collector runs.
 */
const NESTED_RSS_GROWTH_MIB = 128;

interface Attack {
  name: string;
  hostility: Hostility;
  /** Where the reason shows: the probe's last error, or the last INFO's error. */
  seen?: 'lastError' | 'infoError';
  reason: string;
  message: RegExp;
  /** The target's keys beyond its name (default: a plain redis:// url to the peer). */
  target?: (port: number) => string;
  rssGrowthMiB?: number;
}

const plain = (port: number) => `url: 'redis://127.0.0.1:${port}/0'`;
const endless = (head: string) => ({ head, body: 'A' });

const attacks: Attack[] = [
  {
    // Just under the reply cap, so it is parsed and its text redacted (this once took minutes).
    name: 'a 1 MB error line',
    hostility: { kind: 'reply', bytes: `-ERR ${letters(1_000_000)}\r\n` },
    reason: 'error',
    message: /^ERR A+…$/,
  },
  {
    name: 'a 60 kB bulk string in answer to PING',
    hostility: { kind: 'reply', bytes: `$60000\r\n${letters(60_000)}\r\n` },
    reason: 'error',
    message: /^unexpected reply to PING: A+…$/,
  },
  {
    name: 'a bulk string announced as 2 GB, streamed as fast as it is read',
    hostility: { kind: 'stream', ...endless('$2147483647\r\n') },
    reason: 'protocol',
    message: /^a reply announced as 2147483647 bytes, more than 1 MiB: connection dropped$/,
  },
  {
    name: 'an endless simple string',
    hostility: { kind: 'stream', ...endless('+') },
    reason: 'protocol',
    message: /^a reply of more than 1 MiB \(1\.\d MiB so far\): connection dropped$/,
  },
  {
    name: 'an array of a hundred million integers',
    hostility: { kind: 'stream', head: '*100000000\r\n', body: ':1\r\n' },
    reason: 'protocol',
    message: /^a reply announced as 100000000 elements, more than 65536: connection dropped$/,
  },
  {
    // Its header is small: only the byte cap stops it.
    name: 'a small array holding an array of a hundred million integers',
    hostility: { kind: 'stream', head: '*1\r\n*100000000\r\n', body: ':1\r\n' },
    reason: 'protocol',
    message: /^a reply of more than 1 MiB \(1\.\d MiB so far\): connection dropped$/,
    rssGrowthMiB: NESTED_RSS_GROWTH_MIB,
  },
  {
    name: 'PONG, then an endless answer to INFO',
    hostility: { kind: 'redis', answers: { INFO: endless('$900000000\r\n') } },
    seen: 'infoError',
    reason: 'protocol',
    message:
      /^protocol: a reply announced as 900000000 bytes, more than 1 MiB: connection dropped$/,
  },
  {
    // Under the cap, so it is parsed: its fields are cut, never copied whole into every answer.
    name: 'PONG, then an INFO of 1 MB with a 900 kB version',
    hostility: {
      kind: 'redis',
      answers: {
        INFO: bulk(
          `redis_version:${letters(900_000)}\r\nrole:master\r\nos:${letters(99_000)}\r\nloading:0\r\n`,
        ),
      },
    },
    seen: 'infoError',
    reason: 'none',
    message: /^$/,
  },
  {
    name: 'garbage, then a close',
    hostility: { kind: 'reply', bytes: '\x00\xff\x13garbage\x07\r\n', close: true },
    reason: 'protocol',
    message: /^not a Redis reply: "\.+garbage\."/,
  },
  {
    name: 'a TLS handshake that never completes',
    hostility: { kind: 'silent' },
    target: (port) => `url: 'rediss://127.0.0.1:${port}/0'`,
    reason: 'timeout',
    message: /./,
  },
  {
    name: 'PONG, then an endless answer on the pub/sub connection',
    hostility: { kind: 'redis', answers: { PUBLISH: ':1\r\n', SUBSCRIBE: endless('+') } },
    target: (port) => `${plain(port)}, pubsub: {}`,
    reason: 'pubsub',
    message:
      /^cannot subscribe to "redis-health-sidecar:pubsub": a reply of more than 1 MiB \(1\.\d MiB so far\): connection dropped$/,
  },
];

afterAll(async () => {
  stopAllSidecars();
  await stopHostilePeers();
});

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

test.each(attacks)(
  '$name',
  async ({
    name,
    hostility,
    seen = 'lastError',
    reason,
    message,
    target = plain,
    rssGrowthMiB,
  }) => {
    const peer = await startHostilePeer(hostility);
    const config = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 1s, timeout: 1s, connectCheck: 0, infoInterval: 1s }
targets:
  - { name: hostile, ${target(peer.port)} }
`);
    const sidecar = runSidecar(['--config', config]);
    const base = await sidecar.ready();
    const pid = sidecar.child.pid!;
    const before = rssMiB(pid);
    let worstHealthzMs = 0;
    let worstRss = before;
    const until = Date.now() + ATTACK_MS;
    while (Date.now() < until) {
      const healthz = await httpGet(`${base}/healthz`);
      expect(healthz.status).toBe(200);
      worstHealthzMs = Math.max(worstHealthzMs, healthz.ms);
      worstRss = Math.max(worstRss, rssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const status = (await httpGet(`${base}/status`)).body;
    const described = (JSON.parse(status) as { targets: Array<TargetView> }).targets[0];
    const shown =
      seen === 'lastError'
        ? described?.lastError
        : described?.infoError === undefined
          ? { reason: 'none', message: '' }
          : { reason: described.infoError.split(':')[0] ?? '', message: described.infoError };
    const metrics = (await httpGet(`${base}/metrics`)).body;
    console.log(
      `${name}: /healthz worst ${worstHealthzMs.toFixed(0)} ms, RSS ${before.toFixed(0)} → ` +
        `${worstRss.toFixed(0)} MiB at most, peer wrote ${(peer.written() / 2 ** 20).toFixed(0)} MiB, ` +
        `${peer.open()} open; /status ${status.length} B, /metrics ${metrics.length} B; ` +
        `${shown?.reason}: ${shown?.message.slice(0, 60)}`,
    );
    // The peer was read: a stream past the cap, a reply at least once.
    expect(peer.written()).toBeGreaterThan(
      hostility.kind === 'stream' ? 1 << 20 : hostility.kind === 'silent' ? -1 : 0,
    );
    expect(worstHealthzMs).toBeLessThan(1000);
    expect(worstRss - before).toBeLessThan(rssGrowthMiB ?? RSS_GROWTH_MIB);
    expect(shown?.reason).toBe(reason);
    expect(shown?.message.length).toBeLessThanOrEqual(200);
    expect(shown?.message).toMatch(message);
    // Nothing the peer sent is copied whole into what the sidecar serves; no connection piles up.
    expect(status.length).toBeLessThan(16_384);
    expect(metrics.length).toBeLessThan(65_536);
    expect(peer.open()).toBeLessThanOrEqual(2);
    sidecar.kill('SIGKILL');
    await peer.close();
  },
  30_000,
);

interface TargetView {
  lastError: { reason: string; message: string } | null;
  infoError?: string;
}

test('/probe requests whose clients hang up stop probing at once and free their slots', async () => {
  const peer = await startHostilePeer({ kind: 'silent' });
  const config = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 20s, timeout: 10s, connectCheck: 0 }
targets:
  - { name: hung, url: 'redis://127.0.0.1:${peer.port}/0' }
`);
  const sidecar = runSidecar(['--config', config]);
  const base = await sidecar.ready();
  const abandoned = Array.from({ length: 16 }, () => {
    const request = get(`${base}/probe?target=hung`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '30' },
      agent: false,
    });
    request.on('error', () => undefined);
    return request;
  });
  await sleep(500);
  const probing = peer.open();
  for (const request of abandoned) request.destroy();
  await sleep(500);
  const left = peer.open();
  // A new scrape is served in its own budget (2 s), not turned away behind the abandoned ones.
  const next = await httpGet(`${base}/probe?target=hung`, {
    headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' },
  });
  console.log(
    `abandoned /probe: ${probing} connections to the hung peer while 16 waited, ${left} 500 ms ` +
      `after they hung up; the next scrape: ${next.status} in ${next.ms.toFixed(0)} ms`,
  );
  // The monitor's own connection plus the 8 on-demand slots, then the monitor's alone.
  expect(probing).toBe(9);
  expect(left).toBe(1);
  expect(next.status).toBe(200);
  expect(next.body).toContain('probe_success 0');
  sidecar.kill('SIGKILL');
}, 30_000);
