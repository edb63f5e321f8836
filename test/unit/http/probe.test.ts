import { httpGet } from '../../helpers/http';
import { healthy, useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('/probe', () => {
  test('probes a configured target, passing on the scrape timeout', async () => {
    const reply = await httpGet(`${app.base}/probe?target=main`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' },
    });
    expect([reply.status, reply.body]).toEqual([200, 'probe_success 1\n']);
    expect(app.probeCalls).toEqual([{ name: 'main', scrapeTimeout: 2.5 }]);
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
    app.statuses = [...app.statuses, healthy('busy')];
    const reply = await httpGet(`${app.base}${path}`, { headers });
    expect(reply.status).toBe(code);
    expect(reply.body).toContain(text);
    if (code === 400) expect(app.probeCalls).toEqual([]);
  });
});
