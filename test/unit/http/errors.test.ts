import type { TargetStatus } from '../../../src/monitor/target-status';
import { httpGet } from '../../helpers/http';
import { useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('errors', () => {
  test.each([
    ['/nope', 404, 'not found\n'],
    ['/readyz/a/b', 404, 'not found\n'],
    ['/../etc/passwd', 404, 'not found\n'],
  ])('GET %s → %d', async (path, status, body) => {
    const reply = await httpGet(`${app.base}${path}`);
    expect([reply.status, reply.body]).toEqual([status, body]);
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    '%s → 405 with Allow',
    async (method) => {
      const reply = await httpGet(`${app.base}/metrics`, { method });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    },
  );

  test('HEAD is answered without a body', async () => {
    const reply = await httpGet(`${app.base}/readyz`, { method: 'HEAD' });
    expect([reply.status, reply.body]).toEqual([200, '']);
  });

  test('a failing handler answers 500 without a stack trace and logs it', async () => {
    app.statuses = [null as unknown as TargetStatus];
    const reply = await httpGet(`${app.base}/status`);
    expect([reply.status, reply.body]).toEqual([500, 'internal error\n']);
    expect(app.sink.lines().some((line) => line.msg === 'request failed')).toBe(true);
  });
});
