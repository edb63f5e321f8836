import type { ServerFacts } from '../../../src/probe/server-facts';
import type { TargetStatus } from '../../../src/monitor/target-status';
import { httpGet } from '../../helpers/http';
import { broken, healthy, now, useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('/readyz', () => {
  test('200 ok when every required target is ready', async () => {
    const reply = await httpGet(`${app.base}/readyz`);
    expect([reply.status, reply.body]).toEqual([200, 'ok']);
  });

  test('?verbose lists every check as kube-apiserver does', async () => {
    app.statuses = [healthy('main'), broken('cache', false)];
    const reply = await httpGet(`${app.base}/readyz?verbose`);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(
      [
        '[+]shutdown ok',
        '[+]target:main ok',
        '[-]target:cache failed: timeout (breaker open) (not required)',
        'readyz check passed',
        '',
      ].join('\n'),
    );
  });

  test('503 with the reasons when a required target fails', async () => {
    app.statuses = [broken('main'), healthy('cache', false)];
    const reply = await httpGet(`${app.base}/readyz`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]target:main failed: timeout (breaker open)\n');
    expect(reply.body).toContain('readyz check failed');
  });

  test('a target that never answered is not ready even with its breaker closed', async () => {
    const { target, address } = healthy('main');
    app.statuses = [
      {
        target,
        address,
        breaker: 'closed',
        up: undefined,
        consecutiveFailures: 0,
        probes: 0,
        inconclusiveProbes: 0,
      },
    ];
    const reply = await httpGet(`${app.base}/readyz?verbose`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]target:main failed: not probed yet');
  });

  test('?exclude= leaves a check out; both names work; unknown names only warn', async () => {
    app.statuses = [broken('main'), healthy('cache', false)];
    for (const exclude of ['main', 'target:main']) {
      const reply = await httpGet(`${app.base}/readyz?verbose&exclude=${exclude}&exclude=ghost`);
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('[+]target:main excluded: ok');
      expect(reply.body).toContain(
        'warn: some health checks cannot be excluded: no matches for "ghost"',
      );
    }
  });

  test('?exclude= takes at most 100 names: more is a 400 that says so, not work per name', async () => {
    app.statuses = [broken('main'), healthy('cache', false)];
    const names = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`).join(',');
    const many = await httpGet(`${app.base}/readyz?exclude=main,${names(99)}`);
    expect(many.status).toBe(200);
    const tooMany = await httpGet(`${app.base}/readyz?exclude=main,${names(100)}`);
    expect([tooMany.status, tooMany.body]).toEqual([
      400,
      'too many names in exclude (at most 100)\n',
    ]);
  });

  test('JSON when the client accepts application/json', async () => {
    app.statuses = [broken('main')];
    const reply = await httpGet(`${app.base}/readyz`, { headers: { Accept: 'application/json' } });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toEqual({
      status: 'failed',
      checks: [
        { name: 'shutdown', ok: true, detail: 'ok', gating: true, excluded: false },
        {
          name: 'target:main',
          ok: false,
          detail: 'timeout (breaker open)',
          gating: true,
          excluded: false,
        },
      ],
    });
  });

  test('fails at once when shutting down', async () => {
    app.shuttingDown = true;
    const reply = await httpGet(`${app.base}/readyz`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]shutdown failed: shutting down');
  });

  test('/readyz/NAME answers for one target, required or not', async () => {
    app.statuses = [healthy('main'), broken('cache', false)];
    expect((await httpGet(`${app.base}/readyz/main`)).status).toBe(200);
    const cache = await httpGet(`${app.base}/readyz/cache`);
    expect(cache.status).toBe(503);
    expect(cache.body).toContain('[-]target:cache failed: timeout (breaker open)');
    const unknown = await httpGet(`${app.base}/readyz/nope`);
    expect([unknown.status, unknown.body]).toEqual([404, 'unknown target: nope\n']);
  });
});

describe('/readyz as application/health+json', () => {
  const get = async (path = '/readyz') => {
    const reply = await httpGet(`${app.base}${path}`, {
      headers: { Accept: 'application/health+json' },
    });
    return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
  };

  test('pass, with a responseTime observation per target', async () => {
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/health+json');
    expect(reply.json).toEqual({
      status: 'pass',
      version: '9',
      releaseId: '9.9.9',
      serviceId: 'redis-health-sidecar',
      description: 'Redis targets as the sidecar last probed them',
      checks: {
        'redis:main': [
          {
            componentId: 'main',
            componentType: 'datastore',
            measurementName: 'responseTime',
            observedValue: 0.4,
            observedUnit: 'ms',
            status: 'pass',
            time: new Date(now).toISOString(),
          },
        ],
        'redis:cache': [expect.objectContaining({ status: 'pass' }) as unknown],
      },
      time: expect.any(String) as string,
    });
  });

  test('warn when only a target that does not gate readiness fails', async () => {
    app.statuses = [healthy('main'), broken('cache', false)];
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe('warn');
    expect(reply.json.checks).toMatchObject({
      'redis:cache': [{ status: 'warn', output: 'timeout (breaker open)' }],
    });
  });

  test('fail with 503 when a required target fails; /readyz/NAME answers for one', async () => {
    app.statuses = [broken('main'), healthy('cache', false)];
    const reply = await get();
    expect(reply.status).toBe(503);
    expect(reply.json.status).toBe('fail');
    expect(reply.json.checks).toMatchObject({ 'redis:main': [{ status: 'fail' }] });
    const one = await get('/readyz/cache');
    expect([one.status, one.json.status]).toEqual([200, 'pass']);
    expect(Object.keys(one.json.checks as object)).toEqual(['redis:cache']);
  });
});

describe('readiness checks', () => {
  const replica = (checks: Partial<TargetStatus['target']['checks']>): TargetStatus => {
    const status = healthy('cache');
    return {
      ...status,
      target: { ...status.target, checks: { role: 'any', reportOnly: false, ...checks } },
      info: {
        facts: {
          server: 'redis',
          version: '7.0.15',
          redisVersion: '7.0.15',
          role: 'replica',
          loading: false,
          uptimeSeconds: 10,
          connectedClients: 3,
          usedMemoryBytes: 950,
          usedMemoryHuman: '950B',
          maxMemoryBytes: 1000,
          masterLinkUp: false,
        },
      },
    };
  };

  test('a failing check makes the target unready and says which and why', async () => {
    app.statuses = [replica({ role: 'master', maxMemoryRatio: 0.9, maxReplicationLagMs: 5000 })];
    const reply = await httpGet(`${app.base}/readyz?verbose`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain(
      '[-]target:cache failed: master link is down; role is replica, want master; ' +
        'memory used 95% of maxmemory, limit 90%\n',
    );
  });

  test('report-only checks show in /status but leave readiness alone', async () => {
    app.statuses = [replica({ role: 'master', reportOnly: true })];
    expect((await httpGet(`${app.base}/readyz`)).status).toBe(200);
    const body = JSON.parse((await httpGet(`${app.base}/status`)).body) as {
      targets: Array<{ checks: unknown; server: unknown }>;
    };
    expect(body.targets[0]?.checks).toEqual([
      { name: 'loading', ok: true, detail: 'ok' },
      { name: 'sync', ok: false, detail: 'master link is down' },
      { name: 'role', ok: false, detail: 'role is replica, want master' },
    ]);
    expect(body.targets[0]?.server).toMatchObject({ version: '7.0.15', role: 'replica' });
    const health = await httpGet(`${app.base}/readyz`, {
      headers: { Accept: 'application/health+json' },
    });
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'warn',
      checks: {
        'redis:cache': [
          { status: 'warn', output: 'master link is down; role is replica, want master' },
        ],
      },
    });
  });

  test('a server that answers PONG while INFO says loading:1 is not ready', async () => {
    const status = replica({});
    const facts = { ...status.info?.facts, role: 'master', loading: true } as ServerFacts;
    delete facts.masterLinkUp;
    app.statuses = [{ ...status, info: { facts } }];
    const verbose = await httpGet(`${app.base}/readyz?verbose`);
    expect(verbose.status).toBe(503);
    expect(verbose.body).toContain('[-]target:cache failed: loading its dataset\n');
  });

  test('a check that cannot be decided without INFO fails', async () => {
    const status = replica({ role: 'master' });
    app.statuses = [{ ...status, info: { error: 'auth: NOPERM no permission for info' } }];
    expect((await httpGet(`${app.base}/readyz?verbose`)).body).toContain(
      '[-]target:cache failed: no INFO yet (auth: NOPERM no permission for info)',
    );
  });
});
