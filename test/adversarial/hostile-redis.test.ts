// Peers that answer like a broken or malicious Redis, against the real sidecar process: it
// must keep answering /healthz within a second, keep its memory bounded, and report a reason
// from the fixed list with a bounded message.
import { readFileSync } from 'node:fs';
import { httpGet } from '../helpers/http';
import { startHostilePeer, stopHostilePeers, type Hostility } from '../helpers/hostile-peer';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';

const letters = (n: number) => 'A'.repeat(n);
/** How long each attack is watched. */
const ATTACK_MS = 6000;
/** What the sidecar may grow by under one attack (one 1 MiB reply at a time, and its copies). */
const RSS_GROWTH_MIB = 64;
/**
 * A nested array's header announces nothing large, so up to 1 MiB of it is parsed: about a
 * quarter million JS numbers and the parser's retries, 40-80 MiB before the collector runs.
 */
const NESTED_RSS_GROWTH_MIB = 128;

const attacks: Array<[string, Hostility, string, RegExp]> = [
  [
    // Just under the reply cap, so it is parsed and its text redacted (this once took minutes).
    'a 1 MB error line',
    { kind: 'reply', bytes: `-ERR ${letters(1_000_000)}\r\n` },
    'error',
    /^ERR A+…$/,
  ],
  [
    'a 60 kB bulk string in answer to PING',
    { kind: 'reply', bytes: `$60000\r\n${letters(60_000)}\r\n` },
    'error',
    /^unexpected reply to PING: A+…$/,
  ],
  [
    'a bulk string announced as 2 GB, streamed as fast as it is read',
    { kind: 'stream', head: '$2147483647\r\n', body: 'A' },
    'protocol',
    /^a reply announced as 2147483647 bytes, more than 1 MiB: connection dropped$/,
  ],
  [
    'an endless simple string',
    { kind: 'stream', head: '+', body: 'A' },
    'protocol',
    /^a reply of more than 1 MiB \(1\.\d MiB so far\): connection dropped$/,
  ],
  [
    'an array of a hundred million integers',
    { kind: 'stream', head: '*100000000\r\n', body: ':1\r\n' },
    'protocol',
    /^a reply announced as 100000000 elements, more than 65536: connection dropped$/,
  ],
  [
    // Its header is small: only the byte cap stops it.
    'a small array holding an array of a hundred million integers',
    { kind: 'stream', head: '*1\r\n*100000000\r\n', body: ':1\r\n' },
    'protocol',
    /^a reply of more than 1 MiB \(1\.\d MiB so far\): connection dropped$/,
  ],
];

afterAll(async () => {
  stopAllSidecars();
  await stopHostilePeers();
});

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

test.each(attacks)(
  '%s',
  async (name, hostility, reason, message) => {
    const peer = await startHostilePeer(hostility);
    const config = writeConfig(`listen: 127.0.0.1:0
defaults: { interval: 1s, timeout: 1s, connectCheck: 0 }
targets:
  - { name: hostile, url: 'redis://127.0.0.1:${peer.port}/0' }
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
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ lastError: { reason: string; message: string } | null }>;
    };
    const lastError = status.targets[0]?.lastError;
    console.log(
      `${name}: /healthz worst ${worstHealthzMs.toFixed(0)} ms, RSS ${before.toFixed(0)} → ` +
        `${worstRss.toFixed(0)} MiB at most, peer wrote ${(peer.written() / 2 ** 20).toFixed(0)} MiB; ` +
        `${lastError?.reason}: ${lastError?.message.slice(0, 60)}`,
    );
    // The peer was read: a stream past the cap, a reply at least once.
    expect(peer.written()).toBeGreaterThan(hostility.kind === 'stream' ? 1 << 20 : 0);
    expect(worstHealthzMs).toBeLessThan(1000);
    const bound = name.startsWith('a small array holding') ? NESTED_RSS_GROWTH_MIB : RSS_GROWTH_MIB;
    expect(worstRss - before).toBeLessThan(bound);
    expect(lastError?.reason).toBe(reason);
    expect(lastError?.message.length).toBeLessThanOrEqual(200);
    expect(lastError?.message).toMatch(message);
    sidecar.kill('SIGKILL');
    await peer.close();
  },
  30_000,
);
