import { EventEmitter } from 'node:events';
import type { Exposition } from '../../src/exposition/exposition';

/** Renders a page as /metrics would (OpenMetrics when `accept` asks), then lets its buffer go. */
export async function renderPage(exposition: Exposition, accept?: string) {
  const response = new EventEmitter();
  const page = await exposition.render(accept, response);
  const body = Buffer.concat(page.chunks).toString('utf8');
  expect(page.length).toBe(Buffer.byteLength(body));
  response.emit('close');
  return { contentType: page.contentType, body };
}
