// Shards and discovery against a real Prometheus: four shards of one config each probe and
// export only their share of 40 targets (none twice, none missed); their /targets feed the
// shipped scrape config (HTTP service discovery + relabelling to /probe), whose scrapes carry
// the targets' own labels; and Prometheus's own hashmod picks the same targets as shard 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { shardOf } from '../../src/config/shard';
import { httpGet } from '../helpers/http';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus';
import { startRedis, stopAllRedis } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

const SHIPPED = join(__dirname, '..', '..', 'deploy', 'prometheus', 'scrape-discovery.yaml');
const NAMES = Array.from({ length: 40 }, (_, index) => `tenant-${String(index).padStart(2, '0')}`);

let shards: string[];
let whole: string;
let prometheus: PrometheusServer;

interface Group {
  targets: string[];
  labels: Record<string, string>;
}

beforeAll(async () => {
  const redis = await startRedis();
  const config = (sharding: string) => `listen: 127.0.0.1:0
${sharding}
defaults: { interval: 1s, timeout: 500ms, labels: { env: test } }
targets:
${NAMES.map((name, index) => `  - { name: ${name}, url: "${redis.url}", labels: { team: team-${index % 3} } }`).join('\n')}
`;
  shards = await Promise.all(
    [0, 1, 2, 3].map(
      async (shard) =>
        (await startTestSidecar(config(`sharding: { shard: ${shard}, totalShards: 4 }`))).base,
    ),
  );
  whole = (await startTestSidecar(config(''))).base;

  // The shipped scrape config, its discovery URLs pointed at these shards.
  const shipped = parse(readFileSync(SHIPPED, 'utf8')) as {
    scrape_configs: Array<Record<string, unknown>>;
  };
  const job = shipped.scrape_configs[0] as Record<string, unknown>;
  job.scrape_timeout = '1s';
  job.http_sd_configs = shards.map((base) => ({ url: `${base}/targets`, refresh_interval: '1s' }));
  // Prometheus's own hashmod over the unsharded list: which names does it give shard 1?
  const hashmod = {
    job_name: 'hashmod',
    metrics_path: '/probe',
    scrape_timeout: '1s',
    http_sd_configs: [{ url: `${whole}/targets`, refresh_interval: '1s' }],
    relabel_configs: [
      {
        source_labels: ['__address__'],
        modulus: 4,
        target_label: '__tmp_shard',
        action: 'hashmod',
      },
      { source_labels: ['__tmp_shard'], regex: '1', action: 'keep' },
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { source_labels: ['__meta_redis_health_sidecar'], target_label: '__address__' },
    ],
  };
  prometheus = await startPrometheus(
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [job, hashmod],
    }),
  );
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopTestSidecars();
  await stopAllRedis();
});

const targetsOf = async (base: string) =>
  (JSON.parse((await httpGet(`${base}/targets`)).body) as Group[]).flatMap(
    (group) => group.targets,
  );

test('four shards: every target on exactly one, as hashmod assigns it', async () => {
  const lists = await Promise.all(shards.map(targetsOf));
  expect(lists.flat().sort()).toEqual(NAMES);
  lists.forEach((list, shard) => {
    expect(list.length).toBeGreaterThan(0);
    for (const name of list) expect(shardOf(name, 4)).toBe(shard);
  });
  // Their series too: each shard exports its own targets only, and says which shard it is.
  const series = await Promise.all(
    shards.map(async (base, shard) => {
      const text = (await httpGet(`${base}/metrics`)).body;
      expect(text).toContain(`redis_health_shard_info{shard="${shard}",total="4"} 1`);
      return [...text.matchAll(/^redis_health_target_info\{target="([^"]+)"/gm)].map((m) => m[1]);
    }),
  );
  expect(series.flat().sort()).toEqual(NAMES);
  const status = JSON.parse((await httpGet(`${shards[2]}/status`)).body) as {
    shard: unknown;
    targets: unknown[];
  };
  expect(status.shard).toEqual({ shard: 2, total: 4 });
  expect(status.targets).toHaveLength(lists[2]?.length ?? -1);
});

test('/targets is HTTP service discovery JSON with the labels, and the address of the shard', async () => {
  const groups = JSON.parse((await httpGet(`${shards[1]}/targets`)).body) as Group[];
  const first = groups[0];
  const index = NAMES.indexOf(first?.targets[0] ?? '');
  expect(first?.labels).toEqual({
    __meta_redis_health_sidecar: shards[1]?.replace('http://', ''),
    __meta_redis_health_mode: 'standalone',
    __meta_redis_health_required: 'true',
    __meta_redis_health_shard: '1',
    __meta_redis_health_total_shards: '4',
    env: 'test',
    team: `team-${index % 3}`,
  });
});

test('Prometheus discovers all 40 through the shipped config and scrapes each on its shard', async () => {
  await waitFor(
    'every target probed',
    async () => {
      const ok = await prometheus.query('probe_success{job="redis-health-probe"} == 1');
      return ok.length === NAMES.length;
    },
    { timeoutMs: 30_000, everyMs: 500 },
  );
  const series = await prometheus.query('probe_success{job="redis-health-probe"}');
  expect(series.map((s) => s.metric.instance).sort()).toEqual(NAMES);
  for (const { metric } of series) {
    const index = NAMES.indexOf(metric.instance ?? '');
    expect(metric).toMatchObject({ env: 'test', team: `team-${index % 3}` });
    expect(metric.shard).toBe(String(shardOf(metric.instance ?? '', 4)));
  }
});

test("Prometheus's hashmod keeps for shard 1 exactly the targets shard 1 probes", async () => {
  const expected = (await targetsOf(shards[1] ?? '')).sort();
  let picked: string[] = [];
  await waitFor(
    'the hashmod job discovered',
    async () => {
      const { activeTargets } = await prometheus.api<{
        activeTargets: Array<{ scrapePool: string; labels: Record<string, string> }>;
      }>('targets?state=active');
      picked = activeTargets
        .filter((target) => target.scrapePool === 'hashmod')
        .map((target) => target.labels.instance ?? '')
        .sort();
      return picked.length > 0;
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  expect(picked).toEqual(expected);
});
