import { Readable } from 'node:stream';

/** Texts are sent in pieces of about this many characters: few writes, little held per reader. */
const PIECE_CHARS = 16 * 1024;
/** Bytes (or characters) all answers together may make in one turn of the event loop. */
const TURN_BYTES = 64 * 1024;

/**
 * A large answer as a stream made only as the reader takes it: a slow reader holds a few
 * pieces, not the whole answer. All such answers share one budget per turn of the event loop,
 * so however many are being sent, the loop turns every 64 KiB and probes, new connections and
 * `/healthz` wait for one small slice, not for a slice of every answer.
 */
export function streamPaced(items: Iterable<string | Buffer>): Readable {
  return Readable.from(paced(items), { highWaterMark: 4 });
}

/** `streamPaced` of texts joined into pieces of about 16 K characters. */
export function streamInPieces(texts: Iterable<string>): Readable {
  return streamPaced(joined(texts));
}

async function* paced(items: Iterable<string | Buffer>): AsyncGenerator<string | Buffer> {
  for (const item of items) {
    await turns.take(item.length);
    yield item;
  }
}

/**
 * The shared budget: an answer past it waits for a later turn, behind those already waiting,
 * and each turn lets the longest-waiting one go on.
 */
const turns = {
  spent: 0,
  waiting: [] as Array<() => void>,
  scheduled: false,
  async take(bytes: number) {
    if (this.spent >= TURN_BYTES || this.waiting.length > 0) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.schedule();
      });
    }
    this.spent += bytes;
    this.schedule();
  },
  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.spent = 0;
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.schedule();
    });
  },
};

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
