import fc from 'fast-check';
import { valueText, writeText, type Rendered } from '../../../src/exposition/text-writer';

const written = (write: Parameters<typeof writeText>[0]) => {
  const rendered = writeText(write);
  const text = Buffer.concat(rendered.chunks).toString('utf8');
  expect(rendered.length).toBe(Buffer.byteLength(text));
  rendered.release();
  return text;
};

describe('writeText', () => {
  test.each([
    0,
    -0,
    7,
    10,
    99,
    1234567890,
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
    1.5,
    -3,
    1e21,
    1.5e-7,
    NaN,
    Infinity,
    -Infinity,
  ])('writes %p as prom-client would', (value) => {
    expect(written((out) => out.value(value))).toBe(valueText(value));
  });

  test('any number is written as prom-client would', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.nat(), fc.maxSafeNat()), (value) => {
        expect(written((out) => out.value(value))).toBe(valueText(value));
        expect(written((out) => out.sample(bytes('b{'), bytes('t="x"'), bytes('} '), value))).toBe(
          `b{t="x"} ${valueText(value)}\n`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('text as UTF-8, encoded line parts, newlines; lines never split across chunks', () => {
    const up = [bytes('up{'), bytes('target="ä"'), bytes('} ')] as const;
    const probes = [bytes('probes_total{'), bytes('target="b"'), bytes(',result="ok"} ')] as const;
    const rendered = writeText((out) => {
      for (let i = 0; i < 20_000; i += 1) out.sample(...(i % 2 === 0 ? up : probes), i);
      out.text('# EOF µ\n');
    });
    expect(rendered.chunks.length).toBeGreaterThan(1);
    for (const chunk of rendered.chunks.slice(0, -1)) {
      expect(chunk.at(-1)).toBe(0x0a);
      expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
    }
    const rows = Buffer.concat(rendered.chunks).toString('utf8').split('\n');
    rendered.release();
    expect(rows).toHaveLength(20_002);
    expect(rows[0]).toBe('up{target="ä"} 0');
    expect(rows[19_999]).toBe('probes_total{target="b",result="ok"} 19999');
    expect(rows[20_000]).toBe('# EOF µ');
  });

  test('a line longer than a chunk gets a chunk of its own size', () => {
    const long = 'x'.repeat(100_000);
    expect(written((out) => out.sample(bytes('a{'), bytes(long), bytes('} '), 1))).toBe(
      `a{${long}} 1\n`,
    );
  });

  test('chunks not yet released are never written over; released ones are reused', () => {
    const first = writeText((out) => out.text('first page'));
    const second = writeText((out) => out.text('second page'));
    expect(text(first)).toBe('first page');
    expect(text(second)).toBe('second page');
    expect(second.chunks[0]!.buffer).not.toBe(first.chunks[0]!.buffer);
    first.release();
    first.release();
    const third = writeText((out) => out.text('third'));
    expect(third.chunks[0]!.buffer).toBe(first.chunks[0]!.buffer);
    expect(text(second)).toBe('second page');
    second.release();
    third.release();
  });
});

const bytes = (text: string) => Buffer.from(text, 'utf8');
const text = (rendered: Rendered) => Buffer.concat(rendered.chunks).toString('utf8');
