import { parseServerFacts } from '../../../src/probe/server-facts';

const info = (lines: string[]) => ['# Server', ...lines, ''].join('\r\n');

describe('parseServerFacts', () => {
  test('a master with replicas and a memory limit', () => {
    const facts = parseServerFacts(
      info([
        'redis_version:7.0.15',
        'uptime_in_seconds:42',
        '# Clients',
        'connected_clients:5',
        'maxclients:10000',
        '# Memory',
        'used_memory:1048576',
        'used_memory_human:1.00M',
        'maxmemory:2097152',
        '# Persistence',
        'loading:0',
        '# Replication',
        'role:master',
        'connected_slaves:2',
        'slave0:ip=127.0.0.1,port=7001,state=online,offset=900,lag=0',
        'slave1:ip=127.0.0.1,port=7002,state=online,offset=1000,lag=1',
        'master_repl_offset:1000',
      ]),
    );
    expect(facts).toEqual({
      server: 'redis',
      version: '7.0.15',
      redisVersion: '7.0.15',
      role: 'master',
      loading: false,
      uptimeSeconds: 42,
      connectedClients: 5,
      maxClients: 10000,
      usedMemoryBytes: 1048576,
      usedMemoryHuman: '1.00M',
      maxMemoryBytes: 2097152,
      connectedReplicas: 2,
      replicaOffsetLagBytes: 100,
    });
  });

  test('a loading replica whose link is down, on a server without maxclients in INFO', () => {
    const facts = parseServerFacts(
      info([
        'redis_version:6.2.14',
        'loading:1',
        'role:slave',
        'master_link_status:down',
        'master_last_io_seconds_ago:-1',
      ]),
    );
    expect(facts).toMatchObject({ role: 'replica', loading: true, masterLinkUp: false });
    expect(facts.masterLastIoSeconds).toBeUndefined();
    expect(facts.maxClients).toBeUndefined();
  });

  test('refuses something that is not INFO', () => {
    expect(() => parseServerFacts('PONG')).toThrow('INFO reply lacks redis_version or role');
  });
});

test('Valkey: the real server and version, redis_version kept as reported', () => {
  // The # Server section as Valkey's src/server.c writes it: redis_version (frozen at 7.2.4)
  // first, then server_name and valkey_version.
  const facts = parseServerFacts(
    info([
      'redis_version:7.2.4',
      'server_name:valkey',
      'valkey_version:8.1.1',
      'redis_git_sha1:00000000',
      'redis_mode:standalone',
      'uptime_in_seconds:7',
      '# Clients',
      'connected_clients:1',
      '# Memory',
      'used_memory:900000',
      'used_memory_human:878.91K',
      'maxmemory:0',
      '# Persistence',
      'loading:0',
      '# Replication',
      'role:master',
      'connected_slaves:0',
      'master_repl_offset:0',
    ]),
  );
  expect(facts).toMatchObject({
    server: 'valkey',
    version: '8.1.1',
    redisVersion: '7.2.4',
    role: 'master',
  });
});

test('text facts from a hostile peer are cut to 32 characters; 60,000 replica lines are read', () => {
  const replicas = Array.from(
    { length: 60_000 },
    (_, i) => `slave${i}:ip=10.0.0.1,port=6379,state=online,offset=${1000 + i},lag=0`,
  );
  const facts = parseServerFacts(
    info([
      `redis_version:${'9'.repeat(100_000)}`,
      `server_name:${'v'.repeat(500)}`,
      'role:master',
      `used_memory_human:${'M'.repeat(1000)}`,
      'master_repl_offset:5000',
      ...replicas,
    ]),
  );
  expect(facts.version).toBe(`${'9'.repeat(31)}…`);
  expect(facts.redisVersion).toHaveLength(32);
  expect(facts.server).toBe(`${'v'.repeat(31)}…`);
  expect(facts.usedMemoryHuman).toHaveLength(32);
  expect(facts.replicaOffsetLagBytes).toBe(4000);
});
