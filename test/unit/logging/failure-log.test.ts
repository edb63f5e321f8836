import { createFailureLog } from '../../../src/logging/failure-log';
import { createLogSink } from '../../helpers/log-sink';
import { makeTarget } from '../../helpers/targets';

test('a run of failures logs once at warn, then once a minute, then once when it ends', () => {
  const sink = createLogSink('info');
  let now = 0;
  const probed = createFailureLog(sink.logger, () => now);
  const target = makeTarget({ name: 'cache' });
  const refused = { ok: false, reason: 'refused', message: 'connect ECONNREFUSED' } as const;

  for (let second = 0; second < 125; second += 1) {
    now = second * 1000;
    probed(target, refused);
  }
  now = 130_000;
  probed(target, { ok: true, seconds: 0.001 });
  probed(target, { ok: true, seconds: 0.001 });

  expect(sink.lines().map(({ msg, failures, reason }) => ({ msg, failures, reason }))).toEqual([
    { msg: 'probe failed', failures: undefined, reason: 'refused' },
    { msg: 'probe still failing', failures: 61, reason: 'refused' },
    { msg: 'probe still failing', failures: 121, reason: 'refused' },
    { msg: 'target answers again', failures: 125, reason: undefined },
  ]);
  expect(sink.lines()[3]).toMatchObject({ target: 'cache', downMs: 130_000 });
});
