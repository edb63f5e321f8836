import { Readable } from 'node:stream';

/** Texts are sent in pieces of about this many characters: few writes, little held per reader. */
const PIECE_CHARS = 16 * 1024;
/** After this many bytes (or characters) of one answer, the event loop turns. */
const TURN_BYTES = 64 * 1024;

/**
 * A large answer as a stream made only as the reader takes it, turning the event loop every
 * quarter megabyte: a slow reader holds a few pieces, not the whole answer, and while a fast one
 * reads (a socket that accepts every write would otherwise never yield) probes and `/healthz`
 * still run.
 */
export function streamPaced(items: Iterable<string | Buffer>): Readable {
  return Readable.from(paced(items), { highWaterMark: 4 });
}

/** `streamPaced` of texts joined into pieces of about 16 K characters. */
export function streamInPieces(texts: Iterable<string>): Readable {
  return streamPaced(joined(texts));
}

async function* paced(items: Iterable<string | Buffer>): AsyncGenerator<string | Buffer> {
  let sinceTurn = 0;
  for (const item of items) {
    yield item;
    sinceTurn += item.length;
    if (sinceTurn < TURN_BYTES) continue;
    sinceTurn = 0;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function* joined(texts: Iterable<string>): Generator<string> {
  let piece = '';
  for (const text of texts) {
    piece += text;
    if (piece.length < PIECE_CHARS) continue;
    yield piece;
    piece = '';
  }
  if (piece !== '') yield piece;
}

/** The JSON of `head`'s fields followed by `lists`, written item by item. */
export function* jsonTexts(
  head: Record<string, unknown>,
  lists: Record<string, Iterable<unknown>>,
): Generator<string> {
  const start = JSON.stringify(head);
  yield start.slice(0, -1);
  let comma = start.length > 2;
  for (const [key, items] of Object.entries(lists)) {
    yield `${comma ? ',' : ''}${JSON.stringify(key)}:[`;
    comma = true;
    let first = true;
    for (const item of items) {
      yield (first ? '' : ',') + JSON.stringify(item);
      first = false;
    }
    yield ']';
  }
  yield '}';
}
