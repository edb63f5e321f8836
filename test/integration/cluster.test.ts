import { httpGet } from '../helpers/http';
import { startCluster } from '../helpers/redis-cluster';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

interface ClusterStatus {
  probes: number;
  up: boolean | null;
  mode: string;
  lastError: { reason: string; message: string } | null;
  cluster: {
    state: string | null;
    nodes: Array<{ address: string; up: boolean; reason?: string; message?: string }>;
  };
}

let nodes: RedisServer[];
let base: string;

const address = (node: RedisServer) => `${node.host}:${node.port}`;

beforeAll(async () => {
  nodes = await startCluster(3);
  ({ base } = await startTestSidecar(
    `
listen: 127.0.0.1:0
targets:
  - name: events
    cluster: { nodes: ["${address(nodes[0] as RedisServer)}"] }
    interval: 200ms
    timeout: 150ms
    breaker: { failureThreshold: 3, recoveryTimeout: 1s, successThreshold: 1 }
`,
  ));
}, 60_000);

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

const targetStatus = async () =>
  (JSON.parse((await httpGet(`${base}/status`)).body) as { targets: ClusterStatus[] })
    .targets[0] as ClusterStatus;

test('probes every master and lists them in /status', async () => {
  await waitFor('up', async () => (await targetStatus()).up === true);
  const status = await targetStatus();
  expect(status.mode).toBe('cluster');
  expect(status.cluster.state).toBe('ok');
  expect(status.cluster.nodes.map((node) => [node.address, node.up]).sort()).toEqual(
    nodes.map((node) => [address(node), true]).sort(),
  );
  expect((await httpGet(`${base}/readyz`)).status).toBe(200);
  expect((await httpGet(`${base}/metrics`)).body).toContain(
    'redis_health_cluster_state_ok{target="events"} 1',
  );
  expect((await httpGet(`${base}/metrics`)).body).toContain(
    `redis_health_target_info{target="events",address="${address(nodes[0] as RedisServer)}",db="0",mode="cluster",required="true"} 1`,
  );
});

test('steady state opens no connections and sends CLUSTER INFO to one node, PING to each', async () => {
  await waitFor('up', async () => (await targetStatus()).up === true);
  const stats = () =>
    Promise.all(
      nodes.map(async (node) => {
        const text = String(await node.command('INFO', 'all'));
        const count = (name: string) =>
          Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(text)?.[1] ?? 0);
        const connections = Number(/^total_connections_received:(\d+)/m.exec(text)?.[1]);
        return { ping: count('ping'), clusterInfo: count('cluster\\|info'), connections };
      }),
    );
  const probes = async () => (await targetStatus()).probes;
  const before = await stats();
  const probesBefore = await probes();
  // Five probes a second: ten take about two seconds.
  await waitFor('ten more probes', async () => (await probes()) - probesBefore >= 10);
  const after = await stats();
  const delta = after.map((item, index) => ({
    ping: item.ping - (before[index]?.ping ?? 0),
    clusterInfo: item.clusterInfo - (before[index]?.clusterInfo ?? 0),
    // Our own INFO connection is the one new connection per node between the two readings.
    connections: item.connections - (before[index]?.connections ?? 0),
  }));
  console.log(`cluster steady state over ten probes, per node: ${JSON.stringify(delta)}`);
  for (const item of delta) {
    expect(item.connections).toBe(1);
    expect(item.ping).toBeGreaterThanOrEqual(6);
  }
  // One CLUSTER INFO per probe (as many as PINGs to any master), all to the same node. The
  // readings can fall between one probe's CLUSTER INFO and its PING, so allow one either way.
  const infoAsked = delta.map((item) => item.clusterInfo);
  expect(infoAsked.filter((count) => count > 0)).toHaveLength(1);
  expect(Math.abs(Math.max(...infoAsked) - (delta[0]?.ping ?? 0))).toBeLessThanOrEqual(1);
}, 15_000);

test('one master down makes the target down, naming the node; back up when it returns', async () => {
  await waitFor('up', async () => (await targetStatus()).up === true);
  const victim = nodes[1] as RedisServer;
  const killedAt = performance.now();
  await victim.kill();
  const noticed = await waitFor('target down', async () => (await targetStatus()).up === false);
  await waitFor('/readyz 503', async () => (await httpGet(`${base}/readyz`)).status === 503);
  const status = await targetStatus();
  console.log(
    `cluster node down: noticed after ${noticed.toFixed(0)} ms, /readyz 503 after ` +
      `${(performance.now() - killedAt).toFixed(0)} ms (interval 200ms, threshold 3); ` +
      `${JSON.stringify(status.lastError)}`,
  );
  expect(status.lastError).toEqual({
    reason: 'refused',
    message: `master ${address(victim)}: connect ECONNREFUSED ${address(victim)}`,
    at: expect.any(String) as string,
  });
  expect(status.cluster.nodes.find((node) => node.address === address(victim))).toMatchObject({
    up: false,
    reason: 'refused',
  });

  await victim.restart();
  const back = await waitFor('target up again', async () => (await targetStatus()).up === true, {
    timeoutMs: 15_000,
  });
  console.log(`cluster node restarted: target up again after ${back.toFixed(0)} ms`);
  await waitFor('/readyz 200', async () => (await httpGet(`${base}/readyz`)).status === 200, {
    timeoutMs: 5000,
  });
}, 40_000);
