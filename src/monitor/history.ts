import type { Target } from '../config/types';
import { latencyTrusted } from '../probe/report';
import { isInconclusive, type FailureReason } from '../probe/result';
import { Ring } from './history-ring';
import type { MonitorListener } from './listener';

/** One slice of a target's recent past: how its probes went, and the slowest round trip. */
export interface HistoryBucket {
  /** Epoch ms at which the slice starts. */
  at: number;
  ok: number;
  failed: number;
  inconclusive: number;
  /** The slowest trusted round trip in the slice, in ms; null when none. */
  maxLatencyMs: number | null;
}

/**
 * How a reload ended: applied; applied while some target files were broken (each keeps the
 * targets it had); or refused, the running config kept whole.
 */
export type ReloadOutcome = 'applied' | 'files kept' | 'refused';

const RELOAD_WORDS: Record<ReloadOutcome, string> = {
  applied: 'config reloaded',
  'files kept': 'config reloaded; broken target files kept the targets they had',
  refused: 'config reload failed: kept the running config',
};

/** Something a person on call wants to see in a list: breaker moves, reloads, the sidecar's own stalls. */
export interface HistoryEvent {
  at: number;
  /** The target it concerns; absent for the sidecar's own events. */
  target?: string;
  kind: 'opened' | 'closed' | 'down' | 'up' | 'reload' | 'stall';
  text: string;
  reason?: FailureReason;
}

export interface HistoryOptions {
  /** How far back the strips reach. */
  windowMs?: number;
  /** The width of one slice. */
  bucketMs?: number;
  /** How many events are kept, across targets. */
  maxEvents?: number;
  now?: () => number;
}

const DEFAULTS = { windowMs: 15 * 60_000, bucketMs: 5000, maxEvents: 50 };

/**
 * Keeps the recent past in memory for people: per target a ring of probe outcomes (a fixed
 * few kilobytes each, however long it runs), and the last events across targets. Fed by the
 * monitor's announcements like the metrics are.
 */
export function createHistory(options: HistoryOptions = {}) {
  const { windowMs, bucketMs, maxEvents } = { ...DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  // Slice numbers are kept in 32 bits: slices of a second or more last past the year 2100.
  if (!(bucketMs >= 1000))
    throw new RangeError(`history slices must be 1 s or longer, not ${bucketMs} ms`);
  const size = Math.ceil(windowMs / bucketMs);
  const rings = new Map<string, Ring>();
  const events: HistoryEvent[] = [];
  const up = new Map<string, boolean>();
  let stallNotedAt = -Infinity;

  const note = (event: HistoryEvent) => {
    events.push(event);
    if (events.length > maxEvents) events.shift();
  };

  const listener: MonitorListener = {
    added: (target: Target) => void rings.set(target.name, new Ring(size)),
    removed(target) {
      rings.delete(target.name);
      up.delete(target.name);
    },
    probed(target, report) {
      const ring = rings.get(target.name);
      if (ring === undefined) return;
      const at = now();
      // -1 for a slice too old to keep (the clock went back): typed arrays ignore writes there.
      const position = ring.at(Math.floor(at / bucketMs));
      const { result } = report;
      if (isInconclusive(result)) {
        ring.inconclusive[position] = Math.min(65_535, (ring.inconclusive[position] ?? 0) + 1);
        // One stall event a minute is enough to say why probes were retried.
        if (at - stallNotedAt >= 60_000) {
          stallNotedAt = at;
          note({
            at,
            kind: 'stall',
            text: `the sidecar itself was stalled ${report.stalledMs ?? 0} ms: probes retried`,
          });
        }
        return;
      }
      const counts = result.ok ? ring.ok : ring.failed;
      counts[position] = Math.min(65_535, (counts[position] ?? 0) + 1);
      if (result.ok && latencyTrusted(report)) {
        ring.latency[position] = Math.max(ring.latency[position] ?? -1, result.seconds * 1000);
      }
      const was = up.get(target.name);
      up.set(target.name, result.ok);
      if (was === undefined || was === result.ok) return;
      note(
        result.ok
          ? { at, target: target.name, kind: 'up', text: 'answers again' }
          : { at, target: target.name, kind: 'down', text: result.message, reason: result.reason },
      );
    },
    transitioned(target, transition, reason) {
      // Opened and closed; the trial probes of an open breaker (to half_open and back) are
      // routine and would bury everything else under a target that stays down.
      if (
        transition.to === 'half_open' ||
        (transition.from === 'half_open' && transition.to === 'open')
      )
        return;
      note({
        at: now(),
        target: target.name,
        kind: transition.to === 'open' ? 'opened' : 'closed',
        text: `breaker ${transition.from} → ${transition.to}`,
        ...(reason !== undefined && transition.to === 'open' && { reason }),
      });
    },
  };

  return {
    listener,
    /** A config reload, as it ended. */
    reloaded(outcome: ReloadOutcome) {
      note({ at: now(), kind: 'reload', text: RELOAD_WORDS[outcome] });
    },
    /** The target's slices, oldest first, over the whole window (empty slices included). */
    of(name: string): HistoryBucket[] {
      const ring = rings.get(name);
      const last = Math.floor(now() / bucketMs);
      const buckets: HistoryBucket[] = [];
      for (let slice = last - size + 1; slice <= last; slice += 1) {
        const position = slice % size;
        const held = ring !== undefined && ring.holds(slice);
        const latency = held ? (ring.latency[position] ?? -1) : -1;
        buckets.push({
          at: slice * bucketMs,
          ok: held ? (ring.ok[position] ?? 0) : 0,
          failed: held ? (ring.failed[position] ?? 0) : 0,
          inconclusive: held ? (ring.inconclusive[position] ?? 0) : 0,
          maxLatencyMs: latency < 0 ? null : Math.round(latency * 1000) / 1000,
        });
      }
      return buckets;
    },
    /** The last events, newest first. */
    events: (): readonly HistoryEvent[] => [...events].reverse(),
    bucketMs,
    windowMs,
  };
}

export type History = ReturnType<typeof createHistory>;
