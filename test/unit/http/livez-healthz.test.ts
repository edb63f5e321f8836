import { httpGet } from '../../helpers/http';
import { broken, healthy, now, useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('/livez/NAME', () => {
  test.each([
    ['up', { up: true }, 200, 'ok'],
    ['not probed yet', { up: undefined }, 200, 'ok: not probed yet'],
    ['loading', { up: false, reason: 'loading' }, 200, 'ok: answers (loading)'],
    ['master down', { up: false, reason: 'masterdown' }, 200, 'ok: answers (masterdown)'],
    ['refused', { up: false, reason: 'refused' }, 503, 'failed: refused'],
    ['hung', { up: false, reason: 'timeout' }, 503, 'failed: timeout'],
  ] as const)('%s → %s', async (_, state, code, text) => {
    app.statuses = [
      {
        ...healthy('main'),
        up: state.up,
        ...('reason' in state && {
          lastFailure: { reason: state.reason, message: 'x', at: now },
        }),
      },
    ];
    const reply = await httpGet(`${app.base}/livez/main`);
    expect([reply.status, reply.body]).toEqual([code, `${text}\n`]);
  });

  test('404 for a name that is not configured', async () => {
    expect((await httpGet(`${app.base}/livez/nope`)).status).toBe(404);
  });
});

describe('/healthz', () => {
  test('200 ok while the sidecar works, whatever Redis does', async () => {
    app.statuses = [broken('main'), broken('cache')];
    const reply = await httpGet(`${app.base}/healthz`);
    expect([reply.status, reply.body]).toEqual([200, 'ok']);
  });

  test('500 when the scheduler is stuck', async () => {
    app.liveness = { ok: false, detail: 'scheduler heartbeat is 15000ms old' };
    const reply = await httpGet(`${app.base}/healthz`);
    expect([reply.status, reply.body]).toEqual([
      500,
      'failed: scheduler heartbeat is 15000ms old\n',
    ]);
  });
});
