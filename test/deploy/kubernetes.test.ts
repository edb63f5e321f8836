import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
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
  test('there are manifests for an application (degrade and gate) and for a Redis StatefulSet', () => {
    expect(files).toEqual([
      'app-gated-on-redis.yaml',
      'app-with-sidecar.yaml',
      'redis-with-sidecar.yaml',
    ]);
  });

  test.each([
    // Degrade: the shared Redis gates nothing; the app follows /watch and keeps its own readiness.
    ['app-with-sidecar.yaml', false, true],
    // Gate: the pod's own Redis is required, so the sidecar's /readyz makes the pod unready.
    ['app-gated-on-redis.yaml', true, false],
  ])('%s: targets required %s, the app follows /watch %s', (file, required, watches) => {
    const docs = parseManifests(readFileSync(join(DIR, file), 'utf8'));
    const map = docs.find((doc) => doc.kind === 'ConfigMap')!;
    const config = parse((map.data as Record<string, string>)['config.yaml']!) as {
      targets: Array<{ required?: boolean }>;
    };
    expect(config.targets.map((target) => target.required ?? true)).toEqual(
      config.targets.map(() => required),
    );
    const app = podSpecs(docs)[0]!.containers[0] as unknown as {
      readinessProbe: { httpGet: { port: string } };
      env?: Array<{ value?: string }>;
    };
    expect(app.readinessProbe.httpGet.port).toBe('http');
    expect((app.env ?? []).some((env) => env.value?.endsWith('/watch'))).toBe(watches);
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
