import type { TargetChecks } from '../config/types';
import type { FactsView } from '../probe/redis-probe';

export type CheckName = 'role' | 'memory' | 'replication' | 'clients';

/** One configured check against the last INFO. */
export interface CheckOutcome {
  name: CheckName;
  ok: boolean;
  /** `ok`, or why not, such as `role is replica, want master`. */
  detail: string;
}

/**
 * Evaluates the configured checks against the last INFO. A check that cannot be decided
 * (INFO never read, or refused) fails: a target must not pass `role: master` unseen.
 */
export function evaluateChecks(checks: TargetChecks, info: FactsView | undefined): CheckOutcome[] {
  const configured: CheckName[] = [
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
