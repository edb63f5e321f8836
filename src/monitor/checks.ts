import type { TargetChecks } from '../config/types';
import type { TargetStatus } from './target-status';
import type { FactsView } from '../probe/views';

/** The checks a target configures; the others run on every target. */
type ConfiguredCheck = 'role' | 'memory' | 'replication' | 'clients';

export type CheckName = ConfiguredCheck | 'connect' | 'loading' | 'sync' | 'sentinels';

/** What the checks read of a target's status. */
export type CheckedStatus = Pick<TargetStatus, 'target' | 'info' | 'connect' | 'sentinels'>;

/** One configured check against the last INFO. */
export interface CheckOutcome {
  name: CheckName;
  ok: boolean;
  /** `ok`, or why not, such as `role is replica, want master`. */
  detail: string;
}

/**
 * Every check of a target: what Redis says about itself, the fresh-connection check, then the
 * configured ones.
 */
export function evaluateChecks(status: CheckedStatus): CheckOutcome[] {
  return [
    ...selfChecks(status.info),
    ...connectCheck(status),
    ...configuredChecks(status.target.checks, status.info),
    ...sentinelsCheck(status),
  ];
}

/** Opt-in (`minSentinels`): enough sentinels answer, and they have a quorum for the master. */
function sentinelsCheck({ target, sentinels }: CheckedStatus): CheckOutcome[] {
  const want = target.sentinel?.minSentinels;
  if (want === undefined) return [];
  if (sentinels === undefined) {
    return [{ name: 'sentinels', ok: false, detail: 'no answer from the sentinels yet' }];
  }
  const { answering, configured, quorum } = sentinels;
  const failures = [
    ...(answering < want ? [`${answering} of ${configured} sentinels answer, want ${want}`] : []),
    ...(quorum ? [] : [`no quorum: ${quorumMessage(sentinels)}`]),
  ];
  const detail = failures.join(', ');
  return [{ name: 'sentinels', ok: detail === '', detail: detail || 'ok' }];
}

/** What the answering sentinels said, or that none did. */
function quorumMessage(view: NonNullable<CheckedStatus['sentinels']>): string {
  return view.sentinels.find((sentinel) => sentinel.answered)?.message ?? 'no sentinel answers';
}

/**
 * What INFO says, checked on every target where INFO can be read: a server loading its dataset
 * (some Redis-compatible servers answer PING meanwhile) and a replica in a full sync or cut off
 * from its master serve stale or empty data.
 */
function selfChecks(info: FactsView | undefined): CheckOutcome[] {
  const facts = info?.facts;
  if (facts === undefined) return [];
  const loading: CheckOutcome = facts.loading
    ? { name: 'loading', ok: false, detail: 'loading its dataset' }
    : { name: 'loading', ok: true, detail: 'ok' };
  if (facts.role !== 'replica') return [loading];
  const failure =
    facts.masterSyncInProgress === true
      ? 'full sync from the master in progress'
      : facts.masterLinkUp !== true
        ? 'master link is down'
        : undefined;
  return [loading, { name: 'sync', ok: failure === undefined, detail: failure ?? 'ok' }];
}

/** The fresh-connection check, once one has run: `connect: auth: WRONGPASS ...`. */
function connectCheck({ target, connect }: CheckedStatus): CheckOutcome[] {
  if (target.connectCheckMs === 0 || connect === undefined) return [];
  const { result } = connect;
  return result.ok
    ? [{ name: 'connect', ok: true, detail: 'ok' }]
    : [{ name: 'connect', ok: false, detail: `connect: ${result.reason}: ${result.message}` }];
}

/**
 * The configured checks against the last INFO. A check that cannot be decided (INFO never
 * read, or refused) fails: a target must not pass `role: master` unseen.
 */
function configuredChecks(checks: TargetChecks, info: FactsView | undefined): CheckOutcome[] {
  const configured: ConfiguredCheck[] = [
    ...(checks.role !== 'any' ? (['role'] as const) : []),
    ...(checks.maxMemoryRatio !== undefined ? (['memory'] as const) : []),
    ...(checks.maxReplicationLagMs !== undefined ? (['replication'] as const) : []),
    ...(checks.maxClientsRatio !== undefined ? (['clients'] as const) : []),
  ];
  const facts = info?.facts;
  if (facts === undefined) {
    const detail = `no INFO yet${info?.error === undefined ? '' : ` (${info.error})`}`;
    return configured.map((name) => ({ name, ok: false, detail }));
  }
  const outcome = (name: CheckName, failure: string | undefined): CheckOutcome => ({
    name,
    ok: failure === undefined,
    detail: failure ?? 'ok',
  });
  return configured.map((name) => {
    switch (name) {
      case 'role':
        return outcome(
          name,
          facts.role === checks.role ? undefined : `role is ${facts.role}, want ${checks.role}`,
        );
      case 'memory': {
        const limit = checks.maxMemoryRatio ?? 1;
        const used = facts.maxMemoryBytes > 0 ? facts.usedMemoryBytes / facts.maxMemoryBytes : 0;
        return outcome(
          name,
          used > limit
            ? `memory used ${percent(used)} of maxmemory, limit ${percent(limit)}`
            : undefined,
        );
      }
      case 'replication':
        return outcome(name, replicationFailure(facts, checks.maxReplicationLagMs ?? 0));
      case 'clients': {
        const limit = checks.maxClientsRatio ?? 1;
        const max = facts.maxClients ?? 0;
        const used = max > 0 ? facts.connectedClients / max : 0;
        return outcome(
          name,
          used > limit
            ? `${facts.connectedClients} clients, ${percent(used)} of maxclients, limit ${percent(limit)}`
            : undefined,
        );
      }
    }
  });
}

function replicationFailure(
  facts: NonNullable<FactsView['facts']>,
  limitMs: number,
): string | undefined {
  if (facts.role !== 'replica') return undefined;
  if (facts.masterLinkUp !== true) return 'master link is down';
  const lag = facts.masterLastIoSeconds;
  if (lag === undefined) return 'no contact with the master yet';
  return lag * 1000 > limitMs ? `replication lag ${lag}s, limit ${limitMs / 1000}s` : undefined;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
