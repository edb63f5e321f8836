// The sidecar short of CPU beside a healthy Redis: 2 % of a core (a CFS quota; a SIGSTOP duty
// cycle where no CPU group can be made). Nothing it reports may blame Redis; a real hang must still show.
import { httpGet } from '../helpers/http';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import {
  runSidecar,
  stopAllSidecars,
  writeConfig,
  type SidecarProcess,
} from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';
import { cpuGroupsWritable, cpuQuota, stopDutyCycle } from '../helpers/cpu-pressure';

const TARGETS = 20;
const INTERVAL = 1000;
const TIMEOUT = 250;
const THRESHOLD = 3;
/** How long a real outage may take to show without pressure: failureThreshold × interval + timeout. */
const BOUND = THRESHOLD * INTERVAL + TIMEOUT;

let redis: RedisServer;
let sidecar: SidecarProcess;
let base: string;

beforeAll(async () => {
  redis = await startRedis();
  const targets = Array.from(
    { length: TARGETS },
    (_, i) => `  - { name: t${i}, url: 'redis://127.0.0.1:${redis.port}/${i}' }`,
  );
  sidecar = runSidecar([
    '--config',
    writeConfig(
      [
        'listen: 127.0.0.1:0',
        `defaults: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms, breaker: { failureThreshold: ${THRESHOLD}, recoveryTimeout: 2s } }`,
        'targets:',
        ...targets,
        '',
      ].join('\n'),
    ),
  ]);
  base = await sidecar.ready();
  await waitFor('every target up', async () => (await upCount()) === TARGETS);
});

afterAll(async () => {
  sidecar.child.kill('SIGCONT');
  stopAllSidecars();
  await stopAllRedis();
});

async function metrics(): Promise<string> {
  return (await httpGet(`${base}/metrics`)).body;
}

function sum(text: string, name: string, filter = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(filter))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function upCount(): Promise<number> {
  return sum(await metrics(), 'redis_health_up');
}

/**
 * Starves the sidecar: a CPU quota of `percent` of a core where a CPU group can be made (as on
 * these machines), else the SIGSTOP duty cycle, which is weaker (see cpu-pressure.ts) and says so.
 */
function starve(percent: number): () => void {
  const pid = sidecar.child.pid!;
  if (cpuGroupsWritable()) return cpuQuota(pid, percent);
  console.log('no writable cgroup v1 cpu controller: starving with SIGSTOP 300 ms of every 400 ms');
  return stopDutyCycle(pid, 300, 400);
}

test('starved (2 % CPU quota) beside a healthy Redis: no false failure, no trip, always ready', async () => {
  const before = await metrics();
  const release = starve(2);
  const statuses: number[] = [];
  const started = Date.now();
  while (Date.now() - started < 12_000) {
    statuses.push((await httpGet(`${base}/readyz`)).status);
    await httpGet(`${base}/metrics`); // scraped as Prometheus would, which costs the sidecar CPU
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const after = await metrics();
  release();
  const delta = (filter: string) =>
    sum(after, 'redis_health_probes_total', filter) -
    sum(before, 'redis_health_probes_total', filter);
  const probes = delta('');
  const falseFailures = probes - delta('result="ok"') - delta('result="inconclusive"');
  const trips =
    sum(after, 'redis_health_breaker_transitions_total', 'to="open"') -
    sum(before, 'redis_health_breaker_transitions_total', 'to="open"');
  console.log(
    `starved 12 s, ${TARGETS} targets: ${probes} probes, ` +
      `${delta('result="inconclusive"')} inconclusive, ${falseFailures} false failures, ${trips} trips, ` +
      `/readyz ${statuses.filter((code) => code !== 200).length} of ${statuses.length} polls not 200`,
  );
  expect(probes).toBeGreaterThan(TARGETS * 4);
  expect(falseFailures).toBe(0);
  expect(trips).toBe(0);
  expect(statuses.every((code) => code === 200)).toBe(true);
  expect((await httpGet(`${base}/healthz`)).status).toBe(200);
}, 30_000);

test('a real hang under a 5 % CPU quota is still reported within twice the bound', async () => {
  await waitFor('every target up', async () => (await upCount()) === TARGETS);
  const release = starve(5);
  try {
    await redis.pause();
    const elapsed = await waitFor(
      '/readyz 503',
      async () => (await httpGet(`${base}/readyz`)).status === 503,
      { timeoutMs: 4 * BOUND, everyMs: 100 },
    );
    console.log(
      `real hang under starvation: /readyz 503 after ${Math.round(elapsed)} ms (bound ${BOUND} ms)`,
    );
    expect(elapsed).toBeLessThanOrEqual(2 * BOUND);
  } finally {
    release();
    await redis.resume();
  }
}, 30_000);
