import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  buildHelmRender,
  configProblems,
  podProblems,
  podSpecs,
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

let render: (args: string[]) => Manifest[];
beforeAll(() => {
  render = buildHelmRender();
});

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

describe('helm/redis-health-sidecar rendered', () => {
  test('defaults: a ConfigMap, a Deployment and a Service, all valid', () => {
    const docs = render(['-chart', CHART]);
    expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
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
    const docs = render(['-chart', CHART, '-f', join(FIXTURES, 'all-on.yaml')]);
    expect(docs.map((doc) => doc.kind)).toEqual([
      'ConfigMap',
      'Deployment',
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

  test('deployment off: only the ConfigMap for pods that include the container', () => {
    const docs = render([
      '-chart',
      CHART,
      '-f',
      join(FIXTURES, 'all-on.yaml'),
      '-f',
      join(FIXTURES, 'deployment-off.yaml'),
    ]);
    expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'PodMonitor', 'PrometheusRule']);
  });

  test('another chart adds the sidecar container to its pods with the named templates', () => {
    const docs = render(['-chart', join(FIXTURES, 'app-chart'), '-dependency', CHART]);
    expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'Deployment']);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
    expect(byKind(docs, 'ConfigMap')[0]!.metadata.name).toBe('orders-redis-health');
    const [pod] = podSpecs(docs);
    expect(pod!.containers.map((container) => container.name)).toEqual(['orders', 'redis-health']);
    expect(podProblems(pod!)).toEqual([]);
    expect(pod!.volumes).toContainEqual({
      name: 'redis-health-config',
      configMap: { name: 'orders-redis-health' },
    });
  });
});
