import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface EventStreamHandlers {
  /** Every event, in order. */
  message(event: EventSourceMessage): void;
  /** Anything arrived, heartbeats included: the stream is alive. */
  activity(): void;
  /** The stream ended; `error` says why when it did not end cleanly (refused, an HTTP error). */
  ended(error?: Error): void;
}

export interface EventStream {
  close(): void;
}

/**
 * One GET of a Server-Sent Events stream, parsed by eventsource-parser. Its socket does not keep
 * the process alive: a watch in the background must not stop an application from exiting.
 */
export function openEventStream(
  url: URL,
  headers: Record<string, string>,
  handlers: EventStreamHandlers,
): EventStream {
  let done = false;
  const end = (error?: Error) => {
    if (done) return;
    done = true;
    request.destroy();
    handlers.ended(error);
  };
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      try {
        handlers.message(event);
      } catch (error) {
        // Not the sidecar's events (a proxy's error page, say): give up this stream, never throw.
        end(error instanceof Error ? error : new Error(String(error)));
      }
    },
    onComment: () => undefined,
  });
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const request: ClientRequest = send(url, {
    headers: { Accept: 'text/event-stream', ...headers },
  });
  request.on('socket', (socket) => socket.unref());
  request.on('error', (error) => end(error));
  request.on('response', (response) => {
    if (response.statusCode !== 200) {
      response.resume();
      return end(new Error(`${url.pathname} answered HTTP ${response.statusCode ?? 0}`));
    }
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      handlers.activity();
      parser.feed(chunk);
    });
    response.on('end', () => end());
    response.on('close', () => end());
  });
  request.end();
  return { close: () => end() };
}
