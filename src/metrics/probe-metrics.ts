import type { Target } from '../config/types';
import { createExposition, type Exposition } from '../exposition/exposition';
import { addComputedGauge } from '../exposition/gauge-families';
import { applyViews, initialStatus } from '../monitor/target-status';
import type { ProbeReport } from '../probe/report';
import { addServerMetrics } from './server-metrics';

/** One on-demand probe (`/probe?target=NAME`), as the multi-target exporter pattern wants it. */
export interface OnDemandProbe {
  target: Target;
  report: ProbeReport;
  durationSeconds: number;
}

/**
 * A page of its own for one `/probe` request: `probe_success`, `probe_duration_seconds`,
 * `probe_result`, `redis_health_up` and the INFO gauges of the target, nothing from the
 * background monitor.
 */
export function createProbeExposition({
  target,
  report,
  durationSeconds,
}: OnDemandProbe): Exposition {
  const exposition = createExposition();
  const { result } = report;
  const gauge = (name: string, help: string, labels: Record<string, string>, value: number) =>
    addComputedGauge(exposition, name, help, () => [{ labels, value }]);
  gauge('probe_success', '1 if the probe succeeded.', {}, result.ok ? 1 : 0);
  gauge(
    'probe_duration_seconds',
    'How long the probe took, connect and INFO included, in seconds.',
    {},
    durationSeconds,
  );
  gauge(
    'probe_result',
    'The outcome of the probe: ok or the failure reason (one series, value 1).',
    { result: result.ok ? 'ok' : result.reason },
    1,
  );
  gauge(
    'redis_health_up',
    '1 if the probe of the target succeeded.',
    { target: target.name },
    result.ok ? 1 : 0,
  );
  // The same status the monitor would hold after this one probe, so every gauge agrees.
  const status = initialStatus(target);
  status.up = result.ok;
  status.consecutiveFailures = result.ok ? 0 : 1;
  status.probes = 1;
  applyViews(status, report);
  addServerMetrics(exposition, () => [status]);
  return exposition;
}
