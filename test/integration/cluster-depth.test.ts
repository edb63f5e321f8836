// Cluster depth against a real six-node cluster (three masters, one replica each): slots in
// failing nodes, known nodes, masters left without a reachable replica, and the replicas listed
// under their masters in /status, as a replica and then its master are killed.
import { httpGet } from '../helpers/http';
import { startCluster } from '../helpers/redis-cluster';
import { stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

interface Cluster {
  state: string | null;
  slotsFail: number | null;
  knownNodes: number | null;
  mastersWithoutReplica: number | null;
  nodes: Array<{
    address: string;
    up: boolean;
    replicas?: Array<{ address: string; up: boolean }>;
  }>;
}

let nodes: RedisServer[];
let base: string;

beforeAll(async () => {
  nodes = await startCluster(3, 1);
  const seeds = nodes.map((node) => `"${node.host}:${node.port}"`).join(', ');
  ({ base } = await startTestSidecar(`listen: 127.0.0.1:0
targets:
  - name: deep
    cluster: { nodes: [${seeds}] }
    interval: 200ms
    timeout: 150ms
    infoInterval: 200ms
    connectCheck: 300ms
    # Trial probes every half second while the breaker is open, so the view keeps up.
    breaker: { recoveryTimeout: 500ms }
`));
}, 60_000);

afterAll(async () => {
  await stopTestSidecars();
  await stopAllRedis();
});

const cluster = async () =>
  (JSON.parse((await httpGet(`${base}/status`)).body) as { targets: Array<{ cluster: Cluster }> })
    .targets[0]?.cluster as Cluster;
const metric = async (name: string) => {
  const line = (await httpGet(`${base}/metrics`)).body
    .split('\n')
    .find((item) => item.startsWith(`${name}{target="deep"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const byAddress = (address: string) =>
  nodes.find((node) => `${node.host}:${node.port}` === address) as RedisServer;

test('every master with its replica; a replica dies and comes back, dies again, then its master', async () => {
  await waitFor('each master lists one replica, up', async () => {
    const view = await cluster();
    return (
      view.nodes.length === 3 &&
      view.nodes.every((node) => node.replicas?.length === 1 && node.replicas[0]?.up === true)
    );
  });
  expect(await metric('redis_health_cluster_known_nodes')).toBe(6);
  expect(await metric('redis_health_cluster_masters_without_replica')).toBe(0);
  expect(await metric('redis_health_cluster_slots_fail')).toBe(0);
  // The fresh-connection check goes to a node that answers, as a client's first connect would.
  await waitFor('a fresh connection checked', async () =>
    (await httpGet(`${base}/metrics`)).body.includes(
      'redis_health_check_ok{target="deep",check="connect"} 1',
    ),
  );
  // An on-demand probe sees the same cluster as the background monitor.
  const probed = (await httpGet(`${base}/probe?target=deep`)).body;
  expect(probed).toContain('probe_success 1');
  expect(probed).toContain('redis_health_cluster_known_nodes{target="deep"} 6');
  expect(probed).toContain('redis_health_cluster_masters_without_replica{target="deep"} 0');

  const first = (await cluster()).nodes[0];
  const replicaAddress = first?.replicas?.[0]?.address ?? '';
  await byAddress(replicaAddress).kill();
  await waitFor('one master without a replica', async () => {
    return (await metric('redis_health_cluster_masters_without_replica')) === 1;
  });
  const view = await cluster();
  expect(view.nodes.find((node) => node.address === first?.address)?.replicas).toEqual([
    { address: replicaAddress, up: false },
  ]);
  expect(view.state).toBe('ok');

  // The replica comes back (same port, same nodes.conf): covered again.
  await byAddress(replicaAddress).restart();
  await waitFor('every master with a replica again', async () => {
    return (await metric('redis_health_cluster_masters_without_replica')) === 0;
  });
  await byAddress(replicaAddress).kill();
  await waitFor('one master without a replica again', async () => {
    return (await metric('redis_health_cluster_masters_without_replica')) === 1;
  });

  // Its master now has no replica to fail over to: its slots fail with it.
  await byAddress(first?.address ?? '').kill();
  await waitFor(
    'slots in failing nodes',
    async () => ((await metric('redis_health_cluster_slots_fail')) ?? 0) > 0,
    { timeoutMs: 15_000 },
  );
  expect((await cluster()).state).toBe('fail');
  expect(await metric('redis_health_up')).toBe(0);
}, 60_000);
