import type { Target } from '../../../src/config/types';
import { createProbeLog } from '../../../src/logging/probe-log';
import type { ProbeResult } from '../../../src/probe/result';
import { createLogSink } from '../../helpers/log-sink';
import { makeTarget } from '../../helpers/targets';

test('a run of failures logs once at warn, then once a minute, then once when it ends', () => {
  const sink = createLogSink('info');
  let now = 0;
  const log = createProbeLog(sink.logger, { now: () => now });
  const probed = (target: Target, result: ProbeResult) => log.probed?.(target, { result });
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

test('a breaker transition is logged with its reason; a removed target starts a new run', () => {
  const sink = createLogSink('info');
  const log = createProbeLog(sink.logger, { now: () => 0 });
  const target = makeTarget({ name: 'cache' });
  const refused = { ok: false, reason: 'refused', message: 'connect ECONNREFUSED' } as const;
  log.probed?.(target, { result: refused });
  log.transitioned?.(target, { from: 'closed', to: 'open' }, 'refused');
  log.removed?.(target);
  log.probed?.(target, { result: refused });

  expect(sink.lines().map(({ level, msg, reason }) => ({ level, msg, reason }))).toEqual([
    { level: 40, msg: 'probe failed', reason: 'refused' },
    { level: 40, msg: 'breaker closed -> open', reason: 'refused' },
    { level: 40, msg: 'probe failed', reason: 'refused' },
  ]);
});
