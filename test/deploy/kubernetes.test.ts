import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { isConfigError } from '../../src/config/errors';

const DIR = join(__dirname, '..', '..', 'deploy', 'kubernetes');

type Manifest = { kind: string; metadata: { name: string } } & Record<string, unknown>;

// The Kubernetes API schemas (kubernetes-models and the Prometheus Operator's CRDs), by kind.
const models: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Deployment,
  StatefulSet,
  Service,
  ServiceMonitor,
  PodMonitor,
  PrometheusRule,
};

// The API schemas allow unknown keys; a misspelt probe would pass them unseen. These are the
// fields of core/v1 Container.
const CONTAINER_FIELDS = new Set([
  'name', 'image', 'imagePullPolicy', 'command', 'args', 'workingDir', 'ports', 'env', 'envFrom',
  'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts', 'volumeDevices', 'livenessProbe',
  'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
  'terminationMessagePolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
]); // prettier-ignore

interface Container {
  name: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string }>;
  [probe: string]: unknown;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string }>;
}

const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));
const manifests = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => doc.toJS() as Manifest);

describe('deploy/kubernetes', () => {
  test('there are manifests for an application and for a Redis StatefulSet', () => {
    expect(files).toEqual(['app-with-sidecar.yaml', 'redis-with-sidecar.yaml']);
  });

  describe.each(files)('%s', (file) => {
    const docs = manifests(file);

    test('every object validates against the Kubernetes API schema of its kind', () => {
      for (const doc of docs) {
        const Model = models[doc.kind];
        expect({ kind: doc.kind, known: Model !== undefined }).toEqual({
          kind: doc.kind,
          known: true,
        });
        expect(() => new Model!(doc as never).validate()).not.toThrow();
      }
      expect(docs.map((doc) => doc.kind)).toEqual(
        expect.arrayContaining(['ConfigMap', 'Service', 'ServiceMonitor']),
      );
    });

    test('containers use known fields, probes name real ports, mounts name real volumes', () => {
      for (const pod of podSpecs(docs)) {
        const volumes = new Set((pod.volumes ?? []).map((volume) => volume.name));
        const claims = new Set(['data']); // volumeClaimTemplates
        const ports = new Set(pod.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
        for (const container of pod.containers) {
          for (const key of Object.keys(container)) expect(CONTAINER_FIELDS).toContain(key);
          for (const mount of container.volumeMounts ?? []) {
            expect(volumes.has(mount.name) || claims.has(mount.name)).toBe(true);
          }
          for (const probe of ['livenessProbe', 'readinessProbe']) {
            const port = (container[probe] as { httpGet?: { port: unknown } } | undefined)?.httpGet
              ?.port;
            if (typeof port === 'string') expect(ports).toContain(port);
          }
        }
      }
    });

    test('the sidecar container is locked down and probed on /healthz and /readyz', () => {
      const sidecars = podSpecs(docs).flatMap((pod) =>
        pod.containers.filter((container) => container.name === 'redis-health'),
      );
      expect(sidecars).toHaveLength(1);
      expect(sidecars[0]).toMatchObject({
        livenessProbe: { httpGet: { path: '/healthz' } },
        readinessProbe: { httpGet: { path: '/readyz' } },
        ports: [{ name: 'redis-health', containerPort: 19121 }],
        securityContext: {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
        resources: { limits: { memory: expect.any(String) } },
      });
    });

    test("the ConfigMap's config.yaml is a valid sidecar config", () => {
      const maps = docs.filter((doc) => doc.kind === 'ConfigMap');
      for (const map of maps) {
        const text = (map.data as Record<string, string>)['config.yaml']!;
        // Password files are mounted from Secrets in the pod, so only "cannot read" is allowed.
        const problems = configProblems(text).filter(
          (p) => !/^cannot read \/var\/run\/secrets\//.test(p),
        );
        expect(problems).toEqual([]);
      }
    });
  });
});

function podSpecs(docs: Manifest[]): PodSpec[] {
  return docs
    .filter((doc) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet')
    .map((doc) => (doc.spec as { template: { spec: PodSpec } }).template.spec);
}

function configProblems(text: string): string[] {
  try {
    parseConfig(text, {});
    return [];
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return error.problems.map((problem) => problem.message);
  }
}
