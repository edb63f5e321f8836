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
      version: '7.0.15',
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
