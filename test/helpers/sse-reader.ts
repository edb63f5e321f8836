import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface SseReader {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every event so far, in order. */
  events: SseEvent[];
  /** Everything received, comments included. */
  raw(): string;
  /** The events named `name`, their data parsed. */
  data<T>(name: string): T[];
  /** Resolves once an event matching `match` has arrived (at or after index `from`). */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

const opened = new Set<ClientRequest>();

/** Opens a `/watch` stream with node:http and records what arrives; closeSseReaders() ends them. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { Accept: 'text/event-stream', ...headers },
      agent: false,
    });
    opened.add(req);
    req.on('error', reject);
    req.on('response', (res) => {
      const events: SseEvent[] = [];
      let raw = '';
      const waiting = new Set<() => void>();
      const parser = createParser({
        onEvent: ({ id, event, data }) => {
          events.push({ id, event, data });
          for (const check of waiting) check();
        },
      });
      const ended = new Promise<void>((done) => res.on('close', done));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        parser.feed(chunk);
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        raw: () => raw,
        data: <T>(name: string) =>
          events
            .filter((event) => event.event === name)
            .map((event) => JSON.parse(event.data) as T),
        ended,
        next(match, timeoutMs = 10_000, from = 0) {
          return new Promise((found, fail) => {
            const check = () => {
              const hit = events.slice(from).find(match);
              if (hit === undefined) return;
              waiting.delete(check);
              clearTimeout(timer);
              found(hit);
            };
            const timer = setTimeout(() => {
              waiting.delete(check);
              fail(new Error(`no matching event within ${timeoutMs}ms; got:\n${raw.slice(-2000)}`));
            }, timeoutMs);
            waiting.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}

/** Closes every stream this test file opened; call from afterEach or afterAll. */
export function closeSseReaders(): void {
  for (const req of opened) req.destroy();
  opened.clear();
}
