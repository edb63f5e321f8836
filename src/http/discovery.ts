import type { Sharding } from '../config/types';
import type { TargetStatus } from '../monitor/target-status';

/** One target group of Prometheus HTTP service discovery. */
interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * `GET /targets`: this shard's targets as Prometheus HTTP service discovery JSON, one group per
 * target with its own labels. The target is the name `/probe?target=` takes;
 * `__meta_redis_health_sidecar` is the host and port Prometheus reached this sidecar at (its
 * request's Host), so a relabel rule can send each `/probe` scrape to the shard that holds
 * the target. `__meta_` labels are dropped after relabelling; the target's own labels stay on
 * the series.
 */
export function describeDiscovery(
  statuses: readonly TargetStatus[],
  sharding: Sharding,
  host: string,
): TargetGroup[] {
  return statuses.map(({ target }) => ({
    targets: [target.name],
    labels: {
      __meta_redis_health_sidecar: host,
      __meta_redis_health_mode: target.mode,
      __meta_redis_health_required: String(target.required),
      __meta_redis_health_shard: String(sharding.shard),
      __meta_redis_health_total_shards: String(sharding.total),
      ...target.labels,
    },
  }));
}
