import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  configProblems,
  parseManifests,
  podProblems,
  podSpecs,
  schemaProblems,
} from '../helpers/kubernetes';

const DIR = join(__dirname, '..', '..', 'deploy', 'kubernetes');
const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));

describe('deploy/kubernetes', () => {
  test('there are manifests for an application and for a Redis StatefulSet', () => {
    expect(files).toEqual(['app-with-sidecar.yaml', 'redis-with-sidecar.yaml']);
  });

  describe.each(files)('%s', (file) => {
    const docs = parseManifests(readFileSync(join(DIR, file), 'utf8'));

    test('every object validates against the Kubernetes API schema of its kind', () => {
      expect(docs.flatMap(schemaProblems)).toEqual([]);
      expect(docs.map((doc) => doc.kind)).toEqual(
        expect.arrayContaining(['ConfigMap', 'Service', 'ServiceMonitor']),
      );
    });

    test('containers use known fields, probes name real ports, mounts name real volumes', () => {
      expect(podSpecs(docs).flatMap((pod) => podProblems(pod, ['data']))).toEqual([]);
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
      expect(maps).toHaveLength(1);
      const text = (maps[0]!.data as Record<string, string>)['config.yaml']!;
      expect(configProblems(text)).toEqual([]);
    });
  });
});
