import { createBreaker, type Breaker, type Transition } from '../breaker/breaker';
import type { Target } from '../config/types';
import { safeMessage } from '../logging/redact';
import { messageOf } from '../probe/classify';
import { latencyTrusted, type ProbeReport } from '../probe/report';
import type { MonitorListener } from './listener';
import type { Scheduler } from './scheduler';
import { applyViews, initialStatus, type TargetStatus } from './target-status';
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
  return new ScheduledTarget(target, deps);
}

// A class rather than closures: there is one per target, and at thousands of targets methods
// shared on the prototype save about a kilobyte each.
class ScheduledTarget implements TargetMonitor {
  readonly status: TargetStatus;
  readonly #target: Target;
  readonly #deps: TargetMonitorDeps;
  readonly #breaker: Breaker;
  readonly #verdict: ReturnType<typeof createVerdict>;
  #timer: unknown;
  #dueAt: number | undefined;
  #running: Promise<void> | undefined;
  #runningSince = 0;
  #stopped = true;
  /** The timer's callback, bound once. */
  readonly #tick = () => this.#probeNow();

  constructor(target: Target, deps: TargetMonitorDeps) {
    this.#target = target;
    this.#deps = deps;
    this.#breaker = createBreaker(target.breaker, () => deps.scheduler.now());
    this.#verdict = createVerdict(target);
    this.status = { ...initialStatus(target), breaker: this.#breaker.state };
  }

  start(delayMs = 0): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(this.#deps.scheduler.now() + delayMs);
  }

  running(): boolean {
    return !this.#stopped;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dueAt = undefined;
    await this.#running;
  }

  stalled(graceMs: number): boolean {
    const now = this.#deps.scheduler.now();
    if (this.#running !== undefined) {
      return now - this.#runningSince > this.#target.timeoutMs + graceMs;
    }
    return this.#dueAt !== undefined && now - this.#dueAt > graceMs;
  }

  /** `ms` spread by ±5 %, so many targets do not probe in lockstep. */
  #jittered(ms: number): number {
    return ms * (1 + ((this.#deps.random ?? Math.random)() - 0.5) * JITTER);
  }

  #schedule(at: number): void {
    const { scheduler } = this.#deps;
    this.#dueAt = at;
    this.#timer = scheduler.setTimeout(this.#tick, Math.max(0, at - scheduler.now()));
  }

  #transitioned(transition: Transition | undefined): void {
    if (transition === undefined) return;
    this.status.breaker = transition.to;
    this.#deps.listener.transitioned?.(this.#target, transition, this.status.lastFailure?.reason);
  }

  #probeNow(): void {
    const { scheduler } = this.#deps;
    const lateMs = this.#dueAt === undefined ? 0 : Math.max(0, scheduler.now() - this.#dueAt);
    this.#timer = undefined;
    this.#dueAt = undefined;
    if (this.#stopped) return;
    const permit = this.#breaker.permit();
    this.#transitioned(permit.transition);
    if (permit.transition !== undefined) this.#deps.listener.settled?.(this.status);
    if (!permit.allowed) {
      this.#schedule(this.#breaker.retryAt() ?? scheduler.now() + this.#target.intervalMs);
      return;
    }
    const startedAt = scheduler.now();
    this.#runningSince = startedAt;
    this.#deps.listener.started?.(this.#target, lateMs);
    this.#running = this.#deps
      .probe()
      .catch((error: unknown): ProbeReport => ({
        result: { ok: false, reason: 'error', message: safeMessage(messageOf(error)) },
      }))
      .then((report) => {
        this.#running = undefined;
        if (!this.#stopped) this.#record(report, startedAt);
      });
  }

  #record(report: ProbeReport, startedAt: number): void {
    const { status } = this;
    const target = this.#target;
    const { listener } = this.#deps;
    const now = this.#deps.scheduler.now();
    status.probes += 1;
    status.lastProbeAt = now;
    const judged = this.#verdict.judge(report.result, startedAt, now);
    if (judged.kind === 'inconclusive') {
      // Neither up nor down, breaker untouched: try again soon rather than an interval later.
      status.inconclusiveProbes += 1;
      const { message } = judged;
      status.lastInconclusive = { message, at: now, stalledMs: report.stalledMs ?? 0 };
      listener.probed?.(target, report);
      this.#schedule(now + this.#jittered(target.timeoutMs));
      return;
    }
    const { result } = judged;
    if (status.up !== result.ok) status.changedAt = now;
    status.up = result.ok;
    applyViews(status, report);
    if (result.ok) {
      status.consecutiveFailures = 0;
      if (latencyTrusted(report)) status.lastLatencySeconds = result.seconds;
      status.lastSuccessAt = now;
    } else {
      status.consecutiveFailures += 1;
      status.lastFailure = { reason: result.reason, message: result.message, at: now };
    }
    listener.probed?.(target, { ...report, result });
    this.#transitioned(this.#breaker.record(result.ok));
    listener.settled?.(status);
    // After an inconclusive run was counted, the next probe goes promptly, as a retry would.
    const next =
      judged.overdue === true
        ? now + this.#jittered(target.timeoutMs)
        : startedAt + this.#jittered(target.intervalMs);
    this.#schedule(this.#breaker.retryAt() ?? next);
  }
}
