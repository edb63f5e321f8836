import { parseClusterNodes, parseClusterSlots } from '../../../src/probe/cluster-layout';
import { createClusterProbe as createReportingProbe } from '../../../src/probe/cluster-probe';
import type { ClusterNodes, ProbeConnection } from '../../../src/redis/connections';
import type { ProbeReport } from '../../../src/probe/report';

type Reply = unknown;

/** Fake cluster nodes: each answers from a table; a missing node refuses connections. */
function fakeCluster(replies: Record<string, Record<string, Reply>>) {
  const sent: string[] = [];
  const dropped: string[] = [];
  const nodes: ClusterNodes = {
    node(address): ProbeConnection {
      return {
        async connect() {
          if (replies[address] === undefined) {
            throw Object.assign(new Error(`connect ECONNREFUSED ${address}`), {
              code: 'ECONNREFUSED',
            });
          }
        },
        async send(...command) {
          const key = command.join(' ');
          sent.push(`${address} ${key}`);
          const reply = replies[address]?.[key];
          if (reply instanceof Error) throw reply;
          return reply;
        },
        drop: () => undefined,
        lastError: () => undefined,
      };
    },
    retain(keep) {
      for (const address of Object.keys(replies)) if (!keep.has(address)) dropped.push(address);
    },
  };
  return { nodes, sent, dropped };
}

const info = (state: string, epoch = 1) =>
  `# Cluster\r\ncluster_state:${state}\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:3\r\ncluster_size:3\r\ncluster_current_epoch:${epoch}\r\n`;

const slots = (ports: number[]) =>
  ports.map((port, index) => [index * 5000, index * 5000 + 4999, ['127.0.0.1', port, `id${port}`]]);

const healthy = (ports: number[], state = 'ok') =>
  Object.fromEntries(
    ports.map((port) => [
      `127.0.0.1:${port}`,
      { 'CLUSTER INFO': info(state), 'CLUSTER SLOTS': slots(ports), PING: 'PONG' },
    ]),
  );

/** The probe's result and the view it reported, read apart as the assertions want them. */
function createClusterProbe(...args: Parameters<typeof createReportingProbe>) {
  const probe = createReportingProbe(...args);
  let last: ProbeReport | undefined;
  return {
    probe: async () => (last = await probe.probe()).result,
    view: () => last?.cluster ?? { nodes: [] },
  };
}

describe('cluster probe', () => {
  test('is up when every master answers and cluster_state is ok', async () => {
    const { nodes } = fakeCluster(healthy([7000, 7001, 7002]));
    const probe = createClusterProbe(nodes, ['127.0.0.1:7000'], 1000);
    await expect(probe.probe()).resolves.toMatchObject({ ok: true });
    expect(probe.view()).toEqual({
      state: 'ok',
      knownNodes: 3,
      nodes: [7000, 7001, 7002].map((port) => ({
        address: `127.0.0.1:${port}`,
        up: true,
        latencySeconds: expect.any(Number) as number,
      })),
    });
  });

  test('in steady state sends one CLUSTER INFO and one PING per master', async () => {
    const { nodes, sent } = fakeCluster(healthy([7000, 7001, 7002]));
    const probe = createClusterProbe(nodes, ['127.0.0.1:7000'], 1000);
    await probe.probe();
    sent.length = 0;
    await probe.probe();
    expect(sent.sort()).toEqual([
      '127.0.0.1:7000 CLUSTER INFO',
      '127.0.0.1:7000 PING',
      '127.0.0.1:7001 PING',
      '127.0.0.1:7002 PING',
    ]);
  });

  test('one master down makes the target down, naming the node', async () => {
    const replies = healthy([7000, 7001, 7002]);
    delete replies['127.0.0.1:7001'];
    const { nodes } = fakeCluster(replies);
    const probe = createClusterProbe(nodes, ['127.0.0.1:7000'], 1000);
    await expect(probe.probe()).resolves.toEqual({
      ok: false,
      reason: 'refused',
      message: 'master 127.0.0.1:7001: connect ECONNREFUSED 127.0.0.1:7001',
    });
    expect(probe.view().nodes.map((node) => [node.address, node.up, node.reason])).toEqual([
      ['127.0.0.1:7000', true, undefined],
      ['127.0.0.1:7001', false, 'refused'],
      ['127.0.0.1:7002', true, undefined],
    ]);
  });

  test('counts the masters down when there are several', async () => {
    const replies = healthy([7000, 7001, 7002]);
    delete replies['127.0.0.1:7001'];
    delete replies['127.0.0.1:7002'];
    const probe = createClusterProbe(fakeCluster(replies).nodes, ['127.0.0.1:7000'], 1000);
    await expect(probe.probe()).resolves.toMatchObject({
      ok: false,
      message: '2 of 3 masters down, first 127.0.0.1:7001: connect ECONNREFUSED 127.0.0.1:7001',
    });
  });

  test('is down when cluster_state is fail although every master answers', async () => {
    const { nodes } = fakeCluster(healthy([7000, 7001], 'fail'));
    const probe = createClusterProbe(nodes, ['127.0.0.1:7000'], 1000);
    await expect(probe.probe()).resolves.toEqual({
      ok: false,
      reason: 'error',
      message: 'cluster_state is fail (says 127.0.0.1:7000)',
    });
    expect(probe.view().state).toBe('fail');
  });

  test('asks the next seed when the first one is down', async () => {
    const { nodes } = fakeCluster(healthy([7000, 7001]));
    const probe = createClusterProbe(nodes, ['127.0.0.1:6999', '127.0.0.1:7001'], 1000);
    await expect(probe.probe()).resolves.toMatchObject({ ok: true });
  });

  test('says so when no node answers at all', async () => {
    const { nodes } = fakeCluster({});
    const probe = createClusterProbe(nodes, ['127.0.0.1:7000', '127.0.0.1:7001'], 1000);
    await expect(probe.probe()).resolves.toEqual({
      ok: false,
      reason: 'refused',
      message: 'no cluster node answered (tried 2): connect ECONNREFUSED 127.0.0.1:7001',
    });
    expect(probe.view().nodes).toHaveLength(2);
  });

  test('learns the new masters after a failover and lets the old one go', async () => {
    const replies = healthy([7000, 7001]);
    const cluster = fakeCluster(replies);
    const probe = createClusterProbe(cluster.nodes, ['127.0.0.1:7000'], 1000);
    await probe.probe();
    // 7001 dies; its replica 7003 takes over and the epoch moves on.
    delete replies['127.0.0.1:7001'];
    await expect(probe.probe()).resolves.toMatchObject({ ok: false, reason: 'refused' });
    const after = {
      'CLUSTER INFO': info('ok', 2),
      'CLUSTER SLOTS': slots([7000, 7003]),
      PING: 'PONG',
    };
    replies['127.0.0.1:7000'] = after;
    replies['127.0.0.1:7003'] = after;
    await expect(probe.probe()).resolves.toMatchObject({ ok: true });
    expect(probe.view().nodes.map((node) => node.address)).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7003',
    ]);
  });
});

describe('parseClusterSlots', () => {
  test('takes the master of every range once, and the asked host for an unknown endpoint', () => {
    const reply = [
      [0, 100, ['10.0.0.1', 6379, 'a'], ['10.0.0.9', 6379, 'r']],
      [101, 200, ['10.0.0.1', 6379, 'a']],
      [201, 16383, ['', 6380, 'b']],
      [201, 16383, ['?', 6381, 'c']],
      [201, 16383, ['fd00::2', 6379, 'd']],
    ];
    expect(parseClusterSlots(reply, 'seed')).toEqual([
      '10.0.0.1:6379',
      'seed:6380',
      'seed:6381',
      '[fd00::2]:6379',
    ]);
  });

  test('refuses a reply that is not a list of ranges', () => {
    expect(() => parseClusterSlots('OK', 'seed')).toThrow(
      'CLUSTER SLOTS did not answer with a list',
    );
    expect(() => parseClusterSlots([[0, 1, 'x']], 'seed')).toThrow('without a master');
  });
});

describe('parseClusterNodes', () => {
  // As Redis 7 writes it: myself with an empty host, a replica failing, one in handshake.
  const text = [
    'a1 :7000@17000 myself,master - 0 0 1 connected 0-5460',
    'b2 127.0.0.1:7001@17001,redis-1 master - 0 1700000000000 2 connected 5461-10922',
    'c3 127.0.0.1:7003@17003 slave a1 0 1700000000000 1 connected',
    'd4 127.0.0.1:7004@17004 slave,fail b2 1700000000000 1700000000000 2 disconnected',
    'e5 127.0.0.1:7005@17005 handshake - 0 0 0 connected',
    '',
  ].join('\n');

  test('masters, replicas with their master, and which cannot be reached', () => {
    expect(parseClusterNodes(text, '10.0.0.1')).toEqual([
      { id: 'a1', address: '10.0.0.1:7000', master: true, unreachable: false },
      { id: 'b2', address: '127.0.0.1:7001', master: true, unreachable: false },
      { id: 'c3', address: '127.0.0.1:7003', master: false, masterId: 'a1', unreachable: false },
      { id: 'd4', address: '127.0.0.1:7004', master: false, masterId: 'b2', unreachable: true },
    ]);
  });
});
