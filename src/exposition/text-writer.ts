/**
 * Writes exposition text straight into bytes. At 1000 targets /metrics is 44 000 lines (3 MB):
 * built as strings and joined they left megabytes of garbage per scrape, much of it in the old
 * generation. Written here, into fixed-size chunks reused between scrapes, with whole-number
 * values formatted digit by digit, they leave almost none; and a page never needs one large
 * buffer (nor the copies of growing one), which inside a memory limit is what counts.
 */
export interface TextWriter {
  /** Writes a string as UTF-8. */
  text(value: string): void;
  /**
   * Writes a whole sample line: `before`, the target's label pair, `after` (each encoded
   * beforehand: the series' line start around its `target="..."`), the value, a newline.
   */
  sample(before: Buffer, label: Buffer, after: Buffer, value: number): void;
  /** Writes a sample value as prom-client does (`Nan`, `+Inf`, `-Inf`, else JavaScript's form). */
  value(value: number): void;
  /** Ends a line. */
  newline(): void;
}

const NEWLINE = 0x0a;
const ZERO = 0x30;

/** Chunks are this big unless one line needs more. */
const CHUNK = 64 * 1024;
/** Chunks kept for the next render: after each render, as many as it used (a scrape's size is stable). */
const idle: Buffer[] = [];

/** A rendered body as chunks, and how to give their memory back once they have been sent. */
export interface Rendered {
  chunks: readonly Buffer[];
  /** Bytes in all chunks. */
  length: number;
  /** The chunks must not be used after this; calling it is optional (unreturned memory is collected). */
  release(): void;
}

/** Runs `write` against a fresh writer and returns the bytes it wrote. */
export function writeText(write: (out: TextWriter) => void): Rendered {
  const writer = createTextWriter();
  write(writer.out);
  return writer.finish();
}

/** A writer to write a body in parts (between which the caller may yield), then finish. */
export interface PartWriter {
  out: TextWriter;
  /** Bytes written so far. */
  written(): number;
  finish(): Rendered;
}

export function createTextWriter(): PartWriter {
  const chunks: Buffer[] = [];
  // Every chunk taken, as allocated: what release() gives back.
  const taken: Buffer[] = [];
  let buffer = idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
  let length = 0;
  let total = 0;
  /** Makes room for `bytes` more: the chunk is closed and a fresh one begun when it lacks them. */
  const reserve = (bytes: number) => {
    if (length + bytes <= buffer.length) return;
    if (length > 0) {
      chunks.push(buffer.subarray(0, length));
      total += length;
    }
    taken.push(buffer);
    buffer =
      bytes <= CHUNK
        ? (idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK))
        : Buffer.allocUnsafeSlow(bytes);
    length = 0;
  };
  const out: TextWriter = {
    text(value) {
      reserve(value.length * 3);
      length += buffer.write(value, length, 'utf8');
    },
    sample(before, label, after, value) {
      const whole = isWhole(value);
      const other = whole ? '' : valueText(value);
      reserve(before.length + label.length + after.length + 17 + other.length);
      // Plain loops on locals: Buffer#copy makes a new view per call, which for runs this
      // short costs more than the copying.
      const into = buffer;
      let at = length;
      for (let i = 0; i < before.length; i += 1) into[at++] = before[i]!;
      for (let i = 0; i < label.length; i += 1) into[at++] = label[i]!;
      for (let i = 0; i < after.length; i += 1) into[at++] = after[i]!;
      at = whole ? writeDigits(into, at, value) : at + into.write(other, at, 'latin1');
      into[at++] = NEWLINE;
      length = at;
    },
    value(value) {
      if (!isWhole(value)) return out.text(valueText(value));
      reserve(16);
      length = writeDigits(buffer, length, value);
    },
    newline() {
      reserve(1);
      buffer[length++] = NEWLINE;
    },
  };
  return {
    out,
    written: () => total + length,
    finish() {
      if (length > 0) chunks.push(buffer.subarray(0, length));
      total += length;
      taken.push(buffer);
      idle.length = Math.min(idle.length, taken.length);
      let released = false;
      return {
        chunks,
        length: total,
        release() {
          if (released) return;
          released = true;
          for (const chunk of taken) if (chunk.length === CHUNK) idle.push(chunk);
        },
      };
    },
  };
}

/** Whether `writeDigits` can write the value: a whole number ≥ 0 its arithmetic holds exactly. */
const isWhole = (value: number) => Number.isSafeInteger(value) && value >= 0;

/** A whole number ≥ 0 in decimal, as `${value}` would write it. */
function writeDigits(buffer: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i -= 1) {
    const next = Math.floor(rest / 10);
    buffer[i] = ZERO + (rest - next * 10);
    rest = next;
  }
  return at + digits;
}

/** As prom-client writes values (its "Nan" spelling included, so the output stays the same). */
export function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
