import { createBreaker, type Transition } from '../breaker/breaker';
import type { Target } from '../config/types';
import { safeMessage } from '../logging/redact';
import { messageOf } from '../probe/classify';
import { latencyTrusted, type ProbeReport } from '../probe/report';
import type { MonitorListener } from './listener';
import type { Scheduler } from './scheduler';
import type { TargetStatus } from './target-status';
import { createVerdict } from './verdict';

export interface TargetMonitorDeps {
  scheduler: Scheduler;
  probe: () => Promise<ProbeReport>;
  listener: MonitorListener;
  /** Source of jitter; injected so tests can pin it. */
  random?: () => number;
}

export interface TargetMonitor {
  readonly status: TargetStatus;
  /** Starts the schedule, its first probe after `delayMs` (default at once). */
  start(delayMs?: number): void;
  running(): boolean;
  /** Stops scheduling and waits for a probe under way to finish. */
  stop(): Promise<void>;
  /** Whether the loop has fallen behind its own schedule by more than `graceMs`. */
  stalled(graceMs: number): boolean;
}

/** Spread of probe starts around `interval`: ±5 %, so many targets do not probe in lockstep. */
const JITTER = 0.1;

/**
 * Runs one target's schedule: the first probe at once, then one every `interval` (jittered),
 * measured from probe start. Probes never overlap: the next is scheduled only when one ends.
 * While the breaker is open nothing is sent until it permits the trial probe.
 */
export function createTargetMonitor(target: Target, deps: TargetMonitorDeps): TargetMonitor {
  const { scheduler, listener } = deps;
  const random = deps.random ?? Math.random;
  const breaker = createBreaker(target.breaker, () => scheduler.now());
  const status: TargetStatus = {
    target,
    address: target.address,
    breaker: breaker.state,
    up: undefined,
    consecutiveFailures: 0,
    probes: 0,
    inconclusiveProbes: 0,
  };
  const verdict = createVerdict(target);
  /** `ms` spread by ±5 %, so many targets do not probe in lockstep. */
  const jittered = (ms: number) => ms * (1 + (random() - 0.5) * JITTER);
  let timer: unknown;
  let dueAt: number | undefined;
  let running: Promise<void> | undefined;
  let runningSince = 0;
  let stopped = true;

  const schedule = (at: number) => {
    dueAt = at;
    timer = scheduler.setTimeout(tick, Math.max(0, at - scheduler.now()));
  };

  const transitioned = (transition: Transition | undefined) => {
    if (transition === undefined) return;
    status.breaker = transition.to;
    listener.transitioned?.(target, transition, status.lastFailure?.reason);
  };

  const record = (report: ProbeReport, startedAt: number) => {
    const now = scheduler.now();
    status.probes += 1;
    status.lastProbeAt = now;
    const judged = verdict.judge(report.result, startedAt, now);
    if (judged.kind === 'inconclusive') {
      // Neither up nor down, breaker untouched: try again soon rather than an interval later.
      status.inconclusiveProbes += 1;
      const { message } = judged;
      status.lastInconclusive = { message, at: now, stalledMs: report.stalledMs ?? 0 };
      listener.probed?.(target, report);
      schedule(now + jittered(target.timeoutMs));
      return;
    }
    const { result } = judged;
    if (status.up !== result.ok) status.changedAt = now;
    status.up = result.ok;
    status.address = report.address ?? status.address;
    if (report.cluster !== undefined) status.cluster = report.cluster;
    if (report.info !== undefined) status.info = report.info;
    if (report.connect !== undefined) status.connect = report.connect;
    if (report.certificate !== undefined) status.certificate = report.certificate;
    if (report.sentinels !== undefined) status.sentinels = report.sentinels;
    if (report.pubsubSeconds !== undefined) status.pubsubSeconds = report.pubsubSeconds;
    if (result.ok) {
      status.consecutiveFailures = 0;
      if (latencyTrusted(report)) status.lastLatencySeconds = result.seconds;
      status.lastSuccessAt = now;
    } else {
      status.consecutiveFailures += 1;
      status.lastFailure = { reason: result.reason, message: result.message, at: now };
    }
    listener.probed?.(target, { ...report, result });
    transitioned(breaker.record(result.ok));
    // After an inconclusive run was counted, the next probe goes promptly, as a retry would.
    const next =
      judged.overdue === true
        ? now + jittered(target.timeoutMs)
        : startedAt + jittered(target.intervalMs);
    schedule(breaker.retryAt() ?? next);
  };

  function tick() {
    const lateMs = dueAt === undefined ? 0 : Math.max(0, scheduler.now() - dueAt);
    timer = undefined;
    dueAt = undefined;
    if (stopped) return;
    const permit = breaker.permit();
    transitioned(permit.transition);
    if (!permit.allowed) {
      schedule(breaker.retryAt() ?? scheduler.now() + target.intervalMs);
      return;
    }
    const startedAt = scheduler.now();
    runningSince = startedAt;
    listener.started?.(target, lateMs);
    running = deps
      .probe()
      .catch((error: unknown): ProbeReport => ({
        result: { ok: false, reason: 'error', message: safeMessage(messageOf(error)) },
      }))
      .then((report) => {
        running = undefined;
        if (!stopped) record(report, startedAt);
      });
  }

  return {
    status,
    start(delayMs = 0) {
      if (!stopped) return;
      stopped = false;
      schedule(scheduler.now() + delayMs);
    },
    running: () => !stopped,
    async stop() {
      stopped = true;
      if (timer !== undefined) scheduler.clearTimeout(timer);
      timer = undefined;
      dueAt = undefined;
      await running;
    },
    stalled(graceMs) {
      const now = scheduler.now();
      if (running !== undefined) return now - runningSince > target.timeoutMs + graceMs;
      return dueAt !== undefined && now - dueAt > graceMs;
    },
  };
}
