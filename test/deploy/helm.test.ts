import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  configProblems,
  helm,
  helmTemplate,
  podProblems,
  podSpecs,
  parseManifests,
  schemaProblems,
  type Manifest,
} from '../helpers/kubernetes';

const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'helm', 'redis-health-sidecar');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'helm');
const read = (...path: string[]) => readFileSync(join(...path), 'utf8');

const values = parse(read(CHART, 'values.yaml')) as Record<string, unknown>;
const validValues = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(read(CHART, 'values.schema.json')) as object,
);

/** `helm template` of this chart with values files from the fixtures, then `--set`s. */
const render = (files: string[] = [], set: string[] = []) =>
  helmTemplate(
    CHART,
    files.map((file) => join(FIXTURES, file)),
    set,
  );

const byKind = (docs: Manifest[], kind: string) => docs.filter((doc) => doc.kind === kind);
const configOf = (docs: Manifest[]) =>
  (byKind(docs, 'ConfigMap')[0]!.data as Record<string, string>)['config.yaml']!;

describe('helm/redis-health-sidecar values', () => {
  test('values.yaml and the all-on example validate against values.schema.json', () => {
    expect(validValues(values)).toBe(true);
    expect(validValues({ ...values, ...(parse(read(FIXTURES, 'all-on.yaml')) as object) })).toBe(
      true,
    );
  });

  test.each([
    ['an unknown top-level key', { ...values, replicas: 3 }, 'must NOT have additional properties'],
    ['a port that is not a number', { ...values, service: { port: 'http' } }, 'must be integer'],
    [
      'a passwordSecret without its key',
      { ...values, config: { targets: [{ name: 'a', passwordSecret: { name: 's' } }] } },
      "must have required property 'key'",
    ],
    ['no targets', { ...values, config: { targets: [] } }, 'must NOT have fewer than 1 items'],
  ])('values.schema.json refuses %s', (_, input, message) => {
    expect(validValues(input)).toBe(false);
    expect(validValues.errors?.map((error) => error.message)).toContain(message);
  });

  test('the image tag is the chart appVersion, and the rules are those of deploy/prometheus', () => {
    const chart = parse(read(CHART, 'Chart.yaml')) as { appVersion: string };
    const pkg = JSON.parse(read(ROOT, 'package.json')) as { version: string };
    expect((values.image as { tag: string }).tag).toBe(chart.appVersion);
    expect(chart.appVersion).toBe(pkg.version);
    expect(read(CHART, 'files', 'alerts.yaml')).toBe(
      read(ROOT, 'deploy', 'prometheus', 'alerts.yaml'),
    );
  });
});

describe('helm/redis-health-sidecar with the real helm', () => {
  test.each([
    [[]],
    [['all-on.yaml']],
    [['all-on.yaml', 'deployment-off.yaml']],
    [['sharded.yaml']],
  ])('helm lint passes with %j', (files: string[]) => {
    const output = helm([
      'lint',
      '--strict',
      CHART,
      ...files.flatMap((f) => ['-f', join(FIXTURES, f)]),
    ]);
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  test('defaults: a ConfigMap, a Deployment and a Service, all valid', () => {
    const docs = render();
    expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'Service', 'Deployment']);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
    expect(podSpecs(docs).flatMap((pod) => podProblems(pod))).toEqual([]);
    expect(configProblems(configOf(docs))).toEqual([]);
    const [pod] = podSpecs(docs);
    expect(pod!.containers[0]).toMatchObject({
      livenessProbe: { httpGet: { path: '/healthz', port: 'redis-health' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'redis-health' } },
      securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
      args: ['--config', '/etc/redis-health/config.yaml', '--listen', '0.0.0.0:19121'],
    });
  });

  test('all on: monitors, rules, passwords from Secrets as files, env for ${VARS}', () => {
    const docs = render(['all-on.yaml']);
    expect(docs.map((doc) => doc.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'PodMonitor',
      'PrometheusRule',
      'Service',
      'ServiceMonitor',
    ]);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
    expect(podSpecs(docs).flatMap((pod) => podProblems(pod))).toEqual([]);

    const rules = parse(read(ROOT, 'deploy', 'prometheus', 'alerts.yaml')) as object;
    expect(byKind(docs, 'PrometheusRule')[0]).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: rules,
    });

    const config = configOf(docs);
    expect(configProblems(config, { SENTINEL_PASSWORD: 'x' })).toEqual([]);
    expect(config).not.toContain('passwordSecret');
    expect(config).toContain('passwordFile: /var/run/secrets/redis-health/sessions_v2/password');
    const [pod] = podSpecs(docs);
    expect(pod!.volumes).toContainEqual({
      name: 'redis-health-password-sessions-v2',
      secret: { secretName: 'redis-sessions', items: [{ key: 'password', path: 'password' }] },
    });
    expect(pod!.containers[0]!.volumeMounts).toContainEqual({
      name: 'redis-health-password-sessions-v2',
      mountPath: '/var/run/secrets/redis-health/sessions_v2',
      readOnly: true,
    });
    expect(pod!.containers[0]!.env).toEqual([
      expect.objectContaining({ name: 'SENTINEL_PASSWORD' }),
    ]);
  });

  test('sharded: a StatefulSet of M pods finding their shard from POD_NAME, a headless Service, monitors that select every shard', () => {
    const docs = render(['all-on.yaml', 'sharded.yaml']);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
    expect(byKind(docs, 'Deployment')).toEqual([]);
    const [set] = byKind(docs, 'StatefulSet') as Array<
      Manifest & { spec: Record<string, unknown> }
    >;
    expect(set?.spec).toMatchObject({
      replicas: 4,
      serviceName: 'release-redis-health-sidecar-headless',
      podManagementPolicy: 'Parallel',
    });
    const [pod] = podSpecs(docs);
    const container = pod!.containers[0]!;
    expect(container.args).toEqual([
      '--config',
      '/etc/redis-health/config.yaml',
      '--listen',
      '0.0.0.0:19121',
      '--total-shards',
      '4',
    ]);
    expect(container.env).toContainEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    const headless = byKind(docs, 'Service').find((doc) => doc.metadata.name.endsWith('-headless'));
    expect(headless?.spec).toMatchObject({ clusterIP: 'None' });
    // Every shard's pod carries the labels the Service, PodMonitor and PDB select.
    const podLabels = (set?.spec.template as { metadata: { labels: Record<string, string> } })
      .metadata.labels;
    const selectors = [
      ...byKind(docs, 'Service').map((doc) => (doc.spec as { selector: object }).selector),
      ...byKind(docs, 'PodDisruptionBudget').map(
        (doc) => (doc.spec as { selector: { matchLabels: object } }).selector.matchLabels,
      ),
    ];
    expect(selectors.length).toBe(3);
    for (const selector of selectors) expect(podLabels).toMatchObject(selector);
    // The PodMonitor takes every pod with a port named redis-health, each shard's included.
    expect(byKind(docs, 'PodMonitor')[0]?.spec).toMatchObject({
      podMetricsEndpoints: [{ port: 'redis-health' }],
    });
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'redis-health' }));
  });

  test('deployment off: only the ConfigMap for pods that include the container', () => {
    const docs = render(['all-on.yaml', 'deployment-off.yaml']);
    expect(docs.map((doc) => doc.kind).sort()).toEqual([
      'ConfigMap',
      'PodMonitor',
      'PrometheusRule',
    ]);
  });

  describe('another chart adds the sidecar to its pods with the named templates', () => {
    let app: string;
    beforeAll(() => {
      // The app chart with this chart unpacked in its charts/, as `helm dependency build` leaves it.
      app = join(mkdtempSync(join(tmpdir(), 'app-chart-')), 'orders');
      cpSync(join(FIXTURES, 'app-chart'), app, { recursive: true });
      cpSync(CHART, join(app, 'charts', 'redis-health-sidecar'), { recursive: true });
    });
    afterAll(() => rmSync(join(app, '..'), { recursive: true, force: true }));

    test('as a second container', () => {
      const docs = parseManifests(helm(['template', 'orders', app]));
      expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'Deployment']);
      expect(docs.flatMap(schemaProblems)).toEqual([]);
      expect(byKind(docs, 'ConfigMap')[0]!.metadata.name).toBe('orders-redis-health');
      const [pod] = podSpecs(docs);
      expect(pod!.containers.map((container) => container.name)).toEqual([
        'orders',
        'redis-health',
      ]);
      expect(podProblems(pod!)).toEqual([]);
      // Degrade, not gate: the shared Redis is not required, the app follows /watch.
      const config = byKind(docs, 'ConfigMap')[0]!.data as Record<string, string>;
      expect(config['config.yaml']).toMatch(/required: false/);
      expect(pod!.containers[0]).toMatchObject({
        env: [{ name: 'REDIS_HEALTH_WATCH_URL', value: 'http://127.0.0.1:19121/watch' }],
      });
      expect(pod!.volumes).toContainEqual({
        name: 'redis-health-config',
        configMap: { name: 'orders-redis-health' },
      });
    });

    test('as a native sidecar: an init container with restartPolicy Always', () => {
      const docs = parseManifests(helm(['template', 'orders', app, '--set', 'nativeSidecar=true']));
      expect(docs.flatMap(schemaProblems)).toEqual([]);
      const [pod] = podSpecs(docs);
      expect(pod!.containers.map((container) => container.name)).toEqual(['orders']);
      expect(pod!.initContainers).toEqual([
        expect.objectContaining({ name: 'redis-health', restartPolicy: 'Always' }),
      ]);
    });
  });
});
