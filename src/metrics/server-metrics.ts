import type { Exposition } from '../exposition/exposition';
import { addComputedGauge, addTargetGauge } from '../exposition/gauge-families';
import { evaluateChecks } from '../monitor/checks';
import type { TargetStatus } from '../monitor/target-status';
import type { ServerFacts } from '../probe/server-facts';
import type { ClusterView, SentinelView } from '../probe/views';

/**
 * Gauges from each target's last INFO, computed at scrape time. A series exists only where
 * its fact does: no memory ratio without maxmemory, no master link on a master.
 */
export function addServerMetrics(
  exposition: Exposition,
  statuses: () => readonly TargetStatus[],
): void {
  /** Gauges read from one part of a target's status; no series where that part is absent. */
  const gaugesOf =
    <T>(part: (status: TargetStatus) => T | undefined) =>
    (name: string, help: string, read: (view: T) => number | undefined) =>
      addTargetGauge(exposition, statuses, name, help, (status) => {
        const view = part(status);
        return view === undefined ? undefined : read(view);
      });
  const fromFacts = gaugesOf<ServerFacts>((status) => status.info?.facts);
  const fromCluster = gaugesOf<ClusterView>((status) => status.cluster);
  const fromSentinels = gaugesOf<SentinelView>((status) => status.sentinels);

  addComputedGauge(
    exposition,
    'redis_health_server_info',
    'The server from INFO: role, server (redis or valkey) and its own version; redis_version as reported (Valkey freezes it at 7.2.4).',
    () =>
      statuses().flatMap((status) => {
        const facts = status.info?.facts;
        if (facts === undefined) return [];
        const labels = {
          target: status.target.name,
          redis_version: facts.redisVersion,
          role: facts.role,
          server: facts.server,
          version: facts.version,
        };
        return [{ labels, value: 1 }];
      }),
  );
  fromFacts('redis_health_server_loading', '1 while Redis loads its dataset.', (facts) =>
    facts.loading ? 1 : 0,
  );
  fromFacts(
    'redis_health_server_master_link_up',
    '1 when a replica is connected to its master (replicas only).',
    (facts) => (facts.masterLinkUp === undefined ? undefined : facts.masterLinkUp ? 1 : 0),
  );
  fromFacts(
    'redis_health_server_master_last_io_seconds',
    'Seconds since a replica last heard from its master (replicas only).',
    (facts) => facts.masterLastIoSeconds,
  );
  fromFacts(
    'redis_health_server_memory_used_ratio',
    'used_memory / maxmemory (only when maxmemory is set).',
    (facts) =>
      facts.maxMemoryBytes > 0 ? facts.usedMemoryBytes / facts.maxMemoryBytes : undefined,
  );
  fromFacts(
    'redis_health_server_connected_clients',
    'Client connections to the Redis server.',
    (facts) => facts.connectedClients,
  );
  fromFacts(
    'redis_health_server_uptime_seconds',
    'Seconds since the Redis server started.',
    (facts) => facts.uptimeSeconds,
  );
  addTargetGauge(
    exposition,
    statuses,
    'redis_health_cluster_state_ok',
    '1 when CLUSTER INFO says cluster_state:ok (cluster targets only).',
    (status) => {
      const state = status.cluster?.state;
      return state === undefined ? undefined : state === 'ok' ? 1 : 0;
    },
  );
  addTargetGauge(
    exposition,
    statuses,
    'redis_health_tls_cert_not_after_timestamp_seconds',
    'Unix time when the first to expire of the certificates the server presented (leaf and intermediates, not the trusted root) expires; TLS targets only.',
    (status) => (status.certificate === undefined ? undefined : status.certificate.notAfter / 1000),
  );
  addTargetGauge(
    exposition,
    statuses,
    'redis_health_connect_check_duration_seconds',
    'How long the last successful fresh-connection check took the whole way: DNS, TCP, TLS, AUTH, SELECT and PING.',
    (status) => (status.connect?.result.ok === true ? status.connect.result.seconds : undefined),
  );
  addTargetGauge(
    exposition,
    statuses,
    'redis_health_pubsub_round_trip_seconds',
    'The last pub/sub round trip of a target with pubsub: PUBLISH on the probe connection to arrival on the subscribed one.',
    (status) => status.pubsubSeconds,
  );
  fromCluster(
    'redis_health_cluster_slots_fail',
    'Hash slots served by nodes the cluster agrees are failing (CLUSTER INFO cluster_slots_fail).',
    (view) => view.slotsFail,
  );
  fromCluster(
    'redis_health_cluster_slots_pfail',
    'Hash slots served by nodes some node suspects (CLUSTER INFO cluster_slots_pfail).',
    (view) => view.slotsPfail,
  );
  fromCluster(
    'redis_health_cluster_known_nodes',
    'Nodes the cluster knows, masters and replicas (CLUSTER INFO cluster_known_nodes).',
    (view) => view.knownNodes,
  );
  fromCluster(
    'redis_health_cluster_masters_without_replica',
    'Masters none of whose replicas is reachable: the next failure of one of them loses its slots.',
    (view) => view.mastersWithoutReplica,
  );
  fromSentinels(
    'redis_health_sentinels_answering',
    'Sentinels of a sentinel target that answered SENTINEL CKQUORUM (OK or NOQUORUM).',
    (view) => view.answering,
  );
  fromSentinels(
    'redis_health_sentinels_configured',
    'Sentinels listed for a sentinel target.',
    (view) => view.configured,
  );
  fromSentinels(
    'redis_health_sentinel_quorum_ok',
    '1 when a sentinel says the quorum and the majority for a failover can be reached (CKQUORUM OK).',
    (view) => (view.quorum ? 1 : 0),
  );
  addComputedGauge(
    exposition,
    'redis_health_check_ok',
    '1 when a check passes: loading and sync (from INFO), connect (a fresh connection), and the configured role, memory, replication, clients, sentinels.',
    () =>
      statuses().flatMap((status) =>
        evaluateChecks(status).map((check) => ({
          labels: { target: status.target.name, check: check.name },
          value: check.ok ? 1 : 0,
        })),
      ),
  );
}
