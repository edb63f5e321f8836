import fc from 'fast-check';
import { encodeLines, valueText, writeText } from '../../../src/exposition/text-writer';

const written = (write: Parameters<typeof writeText>[0]) => {
  const rendered = writeText(write);
  const text = rendered.body.toString('utf8');
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
        expect(written((out) => out.sample(encodeLines(['a ', 'b ']), 1, value))).toBe(
          `b ${valueText(value)}\n`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('text as UTF-8, encoded line starts, newlines; grows past its first buffer', () => {
    const lines = encodeLines(['up{target="ä"} ', 'probes_total{target="b",result="ok"} ']);
    const text = written((out) => {
      for (let i = 0; i < 20_000; i += 1) out.sample(lines, i % 2, i);
      out.text('# EOF µ\n');
    });
    const rows = text.split('\n');
    expect(rows).toHaveLength(20_002);
    expect(rows[0]).toBe('up{target="ä"} 0');
    expect(rows[19_999]).toBe('probes_total{target="b",result="ok"} 19999');
    expect(rows[20_000]).toBe('# EOF µ');
    expect(Buffer.byteLength(text)).toBeGreaterThan(64 * 1024);
  });

  test('a body not yet released is never written over; a released one is reused', () => {
    const first = writeText((out) => out.text('first page'));
    const second = writeText((out) => out.text('second page'));
    expect(first.body.toString()).toBe('first page');
    expect(second.body.toString()).toBe('second page');
    expect(second.body.buffer).not.toBe(first.body.buffer);
    first.release();
    first.release();
    const third = writeText((out) => out.text('third'));
    expect(third.body.buffer).toBe(first.body.buffer);
    expect(second.body.toString()).toBe('second page');
    second.release();
    third.release();
  });
});
