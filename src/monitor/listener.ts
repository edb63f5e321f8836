import type { Transition } from '../breaker/breaker';
import type { Target } from '../config/types';
import type { ProbeReport } from '../probe/report';
import type { FailureReason } from '../probe/result';
import type { TargetStatus } from './target-status';

/**
 * What the monitor announces. It owns the target set; metrics and logs derive from these
 * calls (every method optional), so nothing keeps a second list of targets in step by hand.
 */
export interface MonitorListener {
  /** A target joined (at start, or by a reload); it has not been probed yet. */
  added?(target: Target): void;
  /** A target left (a reload); its probing has stopped and its connection is closed. */
  removed?(target: Target): void;
  /** A probe starts `lateMs` after the time it was scheduled for (timer and event-loop delay). */
  started?(target: Target, lateMs: number): void;
  probed?(target: Target, report: ProbeReport): void;
  /** A breaker transition, with the reason of the failure that caused or last preceded it. */
  transitioned?(target: Target, transition: Transition, reason: FailureReason | undefined): void;
  /**
   * A target's status after a conclusive probe or a breaker transition, once every field is
   * up to date (an inconclusive probe settles nothing).
   */
  settled?(status: TargetStatus): void;
}

/** One listener that passes every call on to each of `listeners`, in order. */
export function fanOut(listeners: readonly MonitorListener[]): Required<MonitorListener> {
  return {
    added: (target) => listeners.forEach((each) => each.added?.(target)),
    removed: (target) => listeners.forEach((each) => each.removed?.(target)),
    started: (target, lateMs) => listeners.forEach((each) => each.started?.(target, lateMs)),
    probed: (target, report) => listeners.forEach((each) => each.probed?.(target, report)),
    transitioned: (target, transition, reason) =>
      listeners.forEach((each) => each.transitioned?.(target, transition, reason)),
    settled: (status) => listeners.forEach((each) => each.settled?.(status)),
  };
}
