/**
 * Writes exposition text straight into bytes. At 1000 targets /metrics is 44 000 lines (3 MB):
 * built as strings and joined they left megabytes of garbage per scrape, much of it in the old
 * generation. Written here, into a buffer reused between scrapes, with whole-number values
 * formatted digit by digit, they leave almost none.
 */
export interface TextWriter {
  /** Writes a string as UTF-8. */
  text(value: string): void;
  /** Writes a whole sample line: the `index`th line start encoded beforehand, the value, a newline. */
  sample(lines: EncodedLines, index: number, value: number): void;
  /** Writes a sample value as prom-client does (`Nan`, `+Inf`, `-Inf`, else JavaScript's form). */
  value(value: number): void;
  /** Ends a line. */
  newline(): void;
}

/** Many short strings (one series' line up to its value, each) encoded into one buffer. */
export interface EncodedLines {
  bytes: Buffer;
  /** Where each string ends in `bytes`. */
  ends: Uint32Array;
}

export function encodeLines(lines: readonly string[]): EncodedLines {
  const parts = lines.map((line) => Buffer.from(line, 'utf8'));
  let end = 0;
  return {
    bytes: Buffer.concat(parts),
    ends: Uint32Array.from(parts, (part) => (end += part.length)),
  };
}

const NEWLINE = 0x0a;
const ZERO = 0x30;

/** Buffers kept for the next render: a scrape's output is about the size of the last one. */
const idle: Buffer[] = [];
const MAX_IDLE = 2;

/** A rendered body, and how to give its memory back once it has been sent. */
export interface Rendered {
  body: Buffer;
  /** The body must not be used after this; calling it is optional (unreturned memory is collected). */
  release(): void;
}

/** Runs `write` against a fresh writer and returns the bytes it wrote. */
export function writeText(write: (out: TextWriter) => void): Rendered {
  let buffer = idle.pop() ?? Buffer.allocUnsafeSlow(64 * 1024);
  let length = 0;
  const reserve = (bytes: number) => {
    if (length + bytes <= buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, length + bytes));
    buffer.copy(larger, 0, 0, length);
    buffer = larger;
  };
  const out: TextWriter = {
    text(value) {
      reserve(value.length * 3);
      length += buffer.write(value, length, 'utf8');
    },
    sample({ bytes, ends }, index, value) {
      const start = index === 0 ? 0 : ends[index - 1]!;
      const end = ends[index]!;
      const whole = isWhole(value);
      const other = whole ? '' : valueText(value);
      reserve(end - start + 17 + other.length);
      // A plain loop on locals: Buffer#copy makes a new view per call, which for lines this
      // short costs more than the copying.
      const into = buffer;
      let at = length;
      for (let i = start; i < end; i += 1) into[at++] = bytes[i]!;
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
  write(out);
  const full = buffer;
  let released = false;
  return {
    body: full.subarray(0, length),
    release() {
      if (released) return;
      released = true;
      if (idle.length < MAX_IDLE) idle.push(full);
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
