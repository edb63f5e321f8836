import { Gauge, Registry } from 'prom-client';
import type { Target } from '../config/types';
import type { TargetStatus } from '../monitor/target-status';
import type { FactsView } from '../probe/redis-probe';
import type { ProbeResult } from '../probe/result';
import { createServerMetrics } from './server-metrics';

/** One on-demand probe (`/probe?target=NAME`), as the multi-target exporter pattern wants it. */
export interface OnDemandProbe {
  target: Target;
  address: string;
  result: ProbeResult;
  durationSeconds: number;
  info?: FactsView;
}

/**
 * A registry of its own for one `/probe` request: `probe_success`, `probe_duration_seconds`,
 * `probe_result`, `redis_health_up` and the INFO gauges of the target, nothing from the background monitor.
 */
export function createProbeRegistry(probe: OnDemandProbe): Registry {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: 'probe_success',
    help: '1 if the probe succeeded.',
    registers,
  }).set(probe.result.ok ? 1 : 0);
  new Gauge({
    name: 'probe_duration_seconds',
    help: 'How long the probe took, connect and INFO included, in seconds.',
    registers,
  }).set(probe.durationSeconds);
  new Gauge({
    name: 'probe_result',
    help: 'The outcome of the probe: ok or the failure reason (one series, value 1).',
    labelNames: ['result'],
    registers,
  }).set({ result: probe.result.ok ? 'ok' : probe.result.reason }, 1);
  new Gauge({
    name: 'redis_health_up',
    help: '1 if the probe of the target succeeded.',
    labelNames: ['target'],
    registers,
  }).set({ target: probe.target.name }, probe.result.ok ? 1 : 0);
  const status: TargetStatus = {
    target: probe.target,
    address: probe.address,
    breaker: 'closed',
    up: probe.result.ok,
    consecutiveFailures: probe.result.ok ? 0 : 1,
    probes: 1,
    ...(probe.info !== undefined && { info: probe.info }),
  };
  createServerMetrics(registry, () => [status]);
  return registry;
}
