import { httpGet } from '../../helpers/http';
import { broken, healthy, useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('/status', () => {
  test('JSON of every target: state, breaker, last error, latency', async () => {
    app.statuses = [healthy('main'), broken('cache', false)];
    const reply = await httpGet(`${app.base}/status`);
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
