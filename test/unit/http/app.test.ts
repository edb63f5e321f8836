import { Registry } from 'prom-client';
import { createApp } from '../../../src/http/app';
import { startServer, type HttpServer } from '../../../src/http/server';
import type { TargetStatus } from '../../../src/monitor/target-status';
import { httpGet } from '../../helpers/http';
import { waitFor } from '../../helpers/wait';
import { createLogSink } from '../../helpers/log-sink';
import { makeTarget } from '../../helpers/targets';

const now = Date.UTC(2026, 10, 23, 12);

function healthy(name: string, required = true): TargetStatus {
  return {
    target: makeTarget({ name, required, address: `${name}:6379` }),
    address: `${name}:6379`,
    breaker: 'closed',
    up: true,
    consecutiveFailures: 0,
    lastLatencySeconds: 0.0004,
    lastSuccessAt: now,
    lastProbeAt: now,
    probes: 3,
  };
}

function broken(name: string, required = true): TargetStatus {
  return {
    ...healthy(name, required),
    breaker: 'open',
    up: false,
    consecutiveFailures: 5,
    lastFailure: { reason: 'timeout', message: 'no reply within 200ms', at: now },
  };
}

let statuses: TargetStatus[] = [];
let shuttingDown = false;
let liveness = { ok: true, detail: 'ok' };
let server: HttpServer;
let base: string;
const registry = new Registry();
let probeCalls: Array<{ name: string; scrapeTimeout: number | undefined }> = [];
let released = 0;
const page = (body: string) => ({
  contentType: 'text/plain',
  body: Buffer.from(body),
  release: () => void (released += 1),
});
const sink = createLogSink();

beforeAll(async () => {
  const app = createApp({
    statuses: () => statuses,
    liveness: () => liveness,
    shuttingDown: () => shuttingDown,
    renderMetrics: async () => page(await registry.metrics()),
    version: '9.9.9',
    logger: sink.logger,
    async probeNow(name, scrapeTimeout) {
      probeCalls.push({ name, scrapeTimeout });
      if (name === 'busy') return { kind: 'busy' };
      if (!statuses.some((status) => status.target.name === name)) return { kind: 'unknown' };
      return { kind: 'metrics', ...page('probe_success 1\n') };
    },
  });
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.address.port}`;
});
afterAll(() => server.close());
beforeEach(() => {
  statuses = [healthy('main'), healthy('cache', false)];
  shuttingDown = false;
  liveness = { ok: true, detail: 'ok' };
  probeCalls = [];
});

describe('/readyz', () => {
  test('200 ok when every required target is ready', async () => {
    const reply = await httpGet(`${base}/readyz`);
    expect([reply.status, reply.body]).toEqual([200, 'ok']);
  });

  test('?verbose lists every check as kube-apiserver does', async () => {
    statuses = [healthy('main'), broken('cache', false)];
    const reply = await httpGet(`${base}/readyz?verbose`);
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
    statuses = [broken('main'), healthy('cache', false)];
    const reply = await httpGet(`${base}/readyz`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]target:main failed: timeout (breaker open)\n');
    expect(reply.body).toContain('readyz check failed');
  });

  test('a target that never answered is not ready even with its breaker closed', async () => {
    statuses = [
      { ...healthy('main'), lastSuccessAt: undefined, up: undefined, lastProbeAt: undefined },
    ];
    const reply = await httpGet(`${base}/readyz?verbose`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]target:main failed: not probed yet');
  });

  test('?exclude= leaves a check out; both names work; unknown names only warn', async () => {
    statuses = [broken('main'), healthy('cache', false)];
    for (const exclude of ['main', 'target:main']) {
      const reply = await httpGet(`${base}/readyz?verbose&exclude=${exclude}&exclude=ghost`);
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('[+]target:main excluded: ok');
      expect(reply.body).toContain(
        'warn: some health checks cannot be excluded: no matches for "ghost"',
      );
    }
  });

  test('JSON when the client accepts application/json', async () => {
    statuses = [broken('main')];
    const reply = await httpGet(`${base}/readyz`, { headers: { Accept: 'application/json' } });
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
    shuttingDown = true;
    const reply = await httpGet(`${base}/readyz`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('[-]shutdown failed: shutting down');
  });

  test('/readyz/NAME answers for one target, required or not', async () => {
    statuses = [healthy('main'), broken('cache', false)];
    expect((await httpGet(`${base}/readyz/main`)).status).toBe(200);
    const cache = await httpGet(`${base}/readyz/cache`);
    expect(cache.status).toBe(503);
    expect(cache.body).toContain('[-]target:cache failed: timeout (breaker open)');
    const unknown = await httpGet(`${base}/readyz/nope`);
    expect([unknown.status, unknown.body]).toEqual([404, 'unknown target: nope\n']);
  });
});

describe('/readyz as application/health+json', () => {
  const get = async (path = '/readyz') => {
    const reply = await httpGet(`${base}${path}`, {
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
    statuses = [healthy('main'), broken('cache', false)];
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe('warn');
    expect(reply.json.checks).toMatchObject({
      'redis:cache': [{ status: 'warn', output: 'timeout (breaker open)' }],
    });
  });

  test('fail with 503 when a required target fails; /readyz/NAME answers for one', async () => {
    statuses = [broken('main'), healthy('cache', false)];
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
          version: '7.0.15',
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
    statuses = [replica({ role: 'master', maxMemoryRatio: 0.9, maxReplicationLagMs: 5000 })];
    const reply = await httpGet(`${base}/readyz?verbose`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain(
      '[-]target:cache failed: role is replica, want master; memory used 95% of maxmemory, ' +
        'limit 90%; master link is down\n',
    );
  });

  test('report-only checks show in /status but leave readiness alone', async () => {
    statuses = [replica({ role: 'master', reportOnly: true })];
    expect((await httpGet(`${base}/readyz`)).status).toBe(200);
    const body = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ checks: unknown; server: unknown }>;
    };
    expect(body.targets[0]?.checks).toEqual([
      { name: 'role', ok: false, detail: 'role is replica, want master' },
    ]);
    expect(body.targets[0]?.server).toMatchObject({ version: '7.0.15', role: 'replica' });
    const health = await httpGet(`${base}/readyz`, {
      headers: { Accept: 'application/health+json' },
    });
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'warn',
      checks: { 'redis:cache': [{ status: 'warn', output: 'role is replica, want master' }] },
    });
  });

  test('a check that cannot be decided without INFO fails', async () => {
    const status = replica({ role: 'master' });
    statuses = [{ ...status, info: { error: 'auth: NOPERM no permission for info' } }];
    expect((await httpGet(`${base}/readyz?verbose`)).body).toContain(
      '[-]target:cache failed: no INFO yet (auth: NOPERM no permission for info)',
    );
  });
});

describe('/livez/NAME', () => {
  test.each([
    ['up', { up: true }, 200, 'ok'],
    ['not probed yet', { up: undefined }, 200, 'ok: not probed yet'],
    ['loading', { up: false, reason: 'loading' }, 200, 'ok: answers (loading)'],
    ['master down', { up: false, reason: 'masterdown' }, 200, 'ok: answers (masterdown)'],
    ['refused', { up: false, reason: 'refused' }, 503, 'failed: refused'],
    ['hung', { up: false, reason: 'timeout' }, 503, 'failed: timeout'],
  ] as const)('%s → %s', async (_, state, code, text) => {
    statuses = [
      {
        ...healthy('main'),
        up: state.up,
        ...('reason' in state && {
          lastFailure: { reason: state.reason, message: 'x', at: now },
        }),
      },
    ];
    const reply = await httpGet(`${base}/livez/main`);
    expect([reply.status, reply.body]).toEqual([code, `${text}\n`]);
  });

  test('404 for a name that is not configured', async () => {
    expect((await httpGet(`${base}/livez/nope`)).status).toBe(404);
  });
});

describe('/probe', () => {
  test('probes a configured target, passing on the scrape timeout', async () => {
    const reply = await httpGet(`${base}/probe?target=main`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' },
    });
    expect([reply.status, reply.body]).toEqual([200, 'probe_success 1\n']);
    expect(probeCalls).toEqual([{ name: 'main', scrapeTimeout: 2.5 }]);
  });

  test.each([
    ['no target', '/probe', {}, 400, 'want exactly one ?target=NAME of a configured target'],
    ['two targets', '/probe?target=main&target=cache', {}, 400, 'want exactly one'],
    ['an address', '/probe?target=redis%3A%2F%2Fevil%3A6379', {}, 404, 'unknown target'],
    [
      'a bad scrape timeout',
      '/probe?target=main',
      { 'X-Prometheus-Scrape-Timeout-Seconds': 'soon' },
      400,
      'X-Prometheus-Scrape-Timeout-Seconds must be seconds',
    ],
    ['too many at once', '/probe?target=busy', {}, 429, 'too many probes at once'],
  ])('%s → %s', async (_, path, headers, code, text) => {
    statuses = [...statuses, healthy('busy')];
    const reply = await httpGet(`${base}${path}`, { headers });
    expect(reply.status).toBe(code);
    expect(reply.body).toContain(text);
    if (code === 400) expect(probeCalls).toEqual([]);
  });
});

describe('/healthz', () => {
  test('200 ok while the sidecar works, whatever Redis does', async () => {
    statuses = [broken('main'), broken('cache')];
    const reply = await httpGet(`${base}/healthz`);
    expect([reply.status, reply.body]).toEqual([200, 'ok']);
  });

  test('500 when the scheduler is stuck', async () => {
    liveness = { ok: false, detail: 'scheduler heartbeat is 15000ms old' };
    const reply = await httpGet(`${base}/healthz`);
    expect([reply.status, reply.body]).toEqual([
      500,
      'failed: scheduler heartbeat is 15000ms old\n',
    ]);
  });
});

describe('/status', () => {
  test('JSON of every target: state, breaker, last error, latency', async () => {
    statuses = [healthy('main'), broken('cache', false)];
    const reply = await httpGet(`${base}/status`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(reply.body) as { ready: boolean; targets: unknown[] };
    expect(body).toMatchObject({ version: '9.9.9', ready: true, shuttingDown: false });
    expect(body.targets).toEqual([
      expect.objectContaining({
        name: 'main',
        address: 'main:6379',
        up: true,
        breaker: 'closed',
        latencyMs: 0.4,
        lastError: null,
      }),
      expect.objectContaining({
        name: 'cache',
        ready: false,
        breaker: 'open',
        consecutiveFailures: 5,
        lastError: {
          reason: 'timeout',
          message: 'no reply within 200ms',
          at: '2026-11-23T12:00:00.000Z',
        },
      }),
    ]);
  });
});

describe('/metrics', () => {
  test('sends the rendered page, then hands its buffer back (GET and HEAD)', async () => {
    const before = released;
    const reply = await httpGet(`${base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await httpGet(`${base}/metrics`, { method: 'HEAD' })).body).toBe('');
    await waitFor('both pages released', async () => released === before + 2);
  });
});

describe('errors', () => {
  test.each([
    ['/nope', 404, 'not found\n'],
    ['/readyz/a/b', 404, 'not found\n'],
    ['/../etc/passwd', 404, 'not found\n'],
  ])('GET %s → %d', async (path, status, body) => {
    const reply = await httpGet(`${base}${path}`);
    expect([reply.status, reply.body]).toEqual([status, body]);
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    '%s → 405 with Allow',
    async (method) => {
      const reply = await httpGet(`${base}/metrics`, { method });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    },
  );

  test('HEAD is answered without a body', async () => {
    const reply = await httpGet(`${base}/readyz`, { method: 'HEAD' });
    expect([reply.status, reply.body]).toEqual([200, '']);
  });

  test('a failing handler answers 500 without a stack trace and logs it', async () => {
    statuses = [null as unknown as TargetStatus];
    const reply = await httpGet(`${base}/status`);
    expect([reply.status, reply.body]).toEqual([500, 'internal error\n']);
    expect(sink.lines().some((line) => line.msg === 'request failed')).toBe(true);
  });
});
