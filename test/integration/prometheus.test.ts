// A real Prometheus (Debian's) scrapes a running sidecar and its /probe endpoint, with the
// shipped alert rules loaded; the dashboard's queries run against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus';
import { startCluster } from '../helpers/redis-cluster';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { createTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { runSidecar, stopAllSidecars, writeConfig } from '../helpers/sidecar-process';
import { waitFor } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'deploy', 'prometheus', 'alerts.yaml');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'redis-health-sidecar.json');

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

/** Every PromQL expression of the dashboard, with its variables filled in as Grafana would. */
function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      expr: target.expr
        .replaceAll('$instance', '.*')
        .replaceAll('$target', '.*')
        .replaceAll('$__rate_interval', '15s'),
    })),
  );
}

function ruleQueries(): string[] {
  const rules = parse(readFileSync(RULES, 'utf8')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

const metricNames = (expr: string) => expr.match(/\b(?:redis_health|process|nodejs)_\w+/g) ?? [];

let master: RedisServer;
let certs: TestCertificates;
let sidecar: string;
let prometheus: PrometheusServer;

beforeAll(async () => {
  certs = createTestCertificates();
  master = await startRedis({ processOnly: true, args: ['--maxmemory', '64mb'] });
  const [replica, secure, sentinel, cluster] = await Promise.all([
    startRedis({ processOnly: true, args: ['--replicaof', master.host, String(master.port)] }),
    startRedis({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, authClients: false },
    }),
    startRedis({ sentinelOf: { masterName: 'main', host: master.host, port: master.port } }),
    startCluster(3),
  ]);
  // Every panel of the dashboard has a target to chart: TLS, sentinel, cluster and pub/sub.
  const config = writeConfig(`listen: 127.0.0.1:0
defaults:
  interval: 250ms
  timeout: 250ms
  infoInterval: 1s
  connectCheck: 1s
  breaker: { failureThreshold: 2, recoveryTimeout: 1s, successThreshold: 1 }
targets:
  - name: main
    url: ${master.url}
    pubsub: { channel: events }
  - name: replica
    url: ${replica.url}
    required: false
  - name: secure
    url: rediss://localhost:${secure.tlsPort}/0
    tls: { ca: ${certs.ca} }
    required: false
  - name: sentinel
    sentinel: { masterName: main, sentinels: ["127.0.0.1:${sentinel.port}"] }
    required: false
  - name: cluster
    cluster: { nodes: ["127.0.0.1:${cluster[0]?.port}"] }
    required: false
`);
  const process = runSidecar(['--config', config]);
  sidecar = await process.ready();
  const address = sidecar.replace('http://', '');
  prometheus = await startPrometheus(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['${RULES}']
scrape_configs:
  - job_name: redis-health
    static_configs: [{ targets: ['${address}'] }]
  - job_name: redis-health-probe
    metrics_path: /probe
    static_configs: [{ targets: [main] }]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { source_labels: [__param_target], target_label: instance }
      - { target_label: __address__, replacement: '${address}' }
`);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  stopAllSidecars();
  await stopAllRedis();
  certs.remove();
});

test('every metric the alert rules and the dashboard use is one the sidecar exports', async () => {
  const used = new Set(
    [...ruleQueries(), ...dashboardQueries().map((q) => q.expr)].flatMap(metricNames),
  );
  // INFO-derived series appear after the first INFO, the replica's link after it synced, the
  // cluster's replicas after CLUSTER NODES: wait for them, then say which never came.
  let exported = new Set<string>();
  await waitFor('every used metric exported', async () => {
    const text = await (await fetch(`${sidecar}/metrics`)).text();
    exported = new Set(text.split('\n').map((line) => line.split(/[ {]/)[0]!));
    return [...used].every((name) => exported.has(name));
  }).catch(() => undefined);
  // What the dashboard must chart: up/down, breaker, latency, results, transitions, INFO, cost.
  for (const name of [
    'redis_health_up',
    'redis_health_breaker_state',
    'redis_health_probe_duration_seconds_bucket',
    'redis_health_probes_total',
    'redis_health_breaker_transitions_total',
    'redis_health_server_info',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    expect(used).toContain(name);
  }
  expect([...used].filter((name) => !exported.has(name))).toEqual([]);
});

test('Prometheus scrapes the sidecar and its /probe endpoint', async () => {
  await waitFor('both jobs scraped', async () => (await prometheus.query('up == 1')).length === 2, {
    timeoutMs: 20_000,
    everyMs: 250,
  });
  const up = await prometheus.query('redis_health_up{job="redis-health"}');
  expect(up.map((s) => [s.metric.target, s.value[1]]).sort()).toEqual([
    ['cluster', '1'],
    ['main', '1'],
    ['replica', '1'],
    ['secure', '1'],
    ['sentinel', '1'],
  ]);
  const probe = await prometheus.query('probe_success{job="redis-health-probe"}');
  expect(probe.map((s) => [s.metric.instance, s.value[1]])).toEqual([['main', '1']]);
  const rules = await prometheus.api<{ groups: Array<{ rules: unknown[] }> }>('rules');
  expect(rules.groups[0]?.rules).toHaveLength(17);
});

test('every dashboard query runs and returns data', async () => {
  const queries = dashboardQueries();
  let empty: string[] = [];
  // rate() needs two samples inside its window; give the scrapes a few seconds.
  await waitFor(
    'every dashboard query to return series',
    async () => {
      const results = await Promise.all(queries.map((q) => prometheus.query(q.expr)));
      empty = queries
        .filter((_, i) => results[i]!.length === 0)
        .map((q) => `${q.panel}: ${q.expr}`);
      return empty.length === 0;
    },
    { timeoutMs: 20_000, everyMs: 500 },
  ).catch(() => undefined);
  expect(empty).toEqual([]);
  const instances = await prometheus.api<string[]>('label/instance/values?match[]=redis_health_up');
  expect(instances).toEqual([sidecar.replace('http://', ''), 'main']);
});

test('Redis stops: RedisHealthTargetDown goes pending with the shipped rules', async () => {
  await master.kill();
  const started = Date.now();
  let alert: { labels: Record<string, string>; state: string } | undefined;
  await waitFor(
    'the target-down alert',
    async () => {
      const { alerts } = await prometheus.api<{ alerts: Array<NonNullable<typeof alert>> }>(
        'alerts',
      );
      // One alert per Redis address, whichever targets and sidecars watch it.
      alert = alerts.find(
        (a) =>
          a.labels.alertname === 'RedisHealthTargetDown' &&
          a.labels.address === `127.0.0.1:${master.port}`,
      );
      return alert !== undefined;
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  console.log(`RedisHealthTargetDown ${alert!.state} ${Date.now() - started} ms after SIGKILL`);
  expect(['pending', 'firing']).toContain(alert!.state);
  expect(alert!.labels).toEqual({
    alertname: 'RedisHealthTargetDown',
    severity: 'critical',
    address: `127.0.0.1:${master.port}`,
  });
});
