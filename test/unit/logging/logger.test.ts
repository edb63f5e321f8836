import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logging/logger';
import { redactUrls, safeMessage } from '../../../src/logging/redact';
import { createLogSink } from '../../helpers/log-sink';

describe('logs', () => {
  test('redact credentials by key and in URLs inside messages', () => {
    const sink = createLogSink();
    sink.logger.info(
      { target: { name: 'main', password: 'hunter2', username: 'app' } },
      'using redis://app:hunter2@redis:6379/0',
    );
    sink.logger.error({ err: new Error('cannot reach rediss://:hunter2@cache:6380') }, 'failed');
    expect(sink.text()).not.toContain('hunter2');
    const [first, second] = sink.lines();
    expect(first).toMatchObject({
      msg: 'using redis://***@redis:6379/0',
      target: { password: '***' },
    });
    expect(second).toMatchObject({ err: { message: 'cannot reach rediss://***@cache:6380' } });
  });

  test('pretty lines for people, redacted just the same', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', { format: 'pretty', destination });
    logger.warn(
      { target: 'cache', password: 'hunter2' },
      'probe failed: redis://app:hunter2@x:6379',
    );
    const text = lines.join('');
    expect(text).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: probe failed: redis:\/\/\*\*\*@x:6379\n/,
    );
    expect(text).toContain('target: "cache"');
    expect(text).not.toContain('hunter2');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  test('a peer’s megabyte of letters is redacted in one pass, bounded (it once took minutes)', () => {
    const letters = 'A'.repeat(1 << 20);
    expect(safeMessage(`ERR ${letters}`)).toHaveLength(200);
    expect(safeMessage(`ERR ${letters}`)).toMatch(/^ERR A+…$/);
    expect(redactUrls(letters)).toBe(letters);
    expect(redactUrls(`${letters} redis://u:p@h:1 ${'//'.repeat(1 << 18)}`)).toContain(
      'redis://***@h:1',
    );
  });

  test('safeMessage keeps one bounded line and removes known secrets', () => {
    expect(safeMessage('WRONGPASS for s3cr3t\nsecond line', ['s3cr3t'])).toBe('WRONGPASS for ***');
    expect(safeMessage('x'.repeat(500))).toHaveLength(200);
  });
});
