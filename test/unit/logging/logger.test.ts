import { safeMessage } from '../../../src/logging/redact';
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

  test('safeMessage keeps one bounded line and removes known secrets', () => {
    expect(safeMessage('WRONGPASS for s3cr3t\nsecond line', ['s3cr3t'])).toBe('WRONGPASS for ***');
    expect(safeMessage('x'.repeat(500))).toHaveLength(200);
  });
});
