import { httpGet } from '../../helpers/http';
import { waitFor } from '../../helpers/wait';
import { useTestApp } from '../../helpers/test-app';

const app = useTestApp();

describe('/metrics', () => {
  test('sends the rendered page, then hands its buffer back (GET and HEAD)', async () => {
    const before = app.released;
    const reply = await httpGet(`${app.base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await httpGet(`${app.base}/metrics`, { method: 'HEAD' })).body).toBe('');
    await waitFor('both pages released', async () => app.released === before + 2);
  });
});
