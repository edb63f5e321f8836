import type { ReadinessCheck } from '../monitor/readiness';

export const healthJsonType = 'application/health+json';

/**
 * Readiness in the draft IETF health-check format (draft-inadarei-api-health-check): `pass`,
 * `warn` (ready, but a target that does not gate readiness is failing, or a report-only check
 * is) or `fail`, with one check per target keyed `redis:NAME` carrying its response time.
 */
export function healthJson(
  checks: readonly ReadinessCheck[],
  ready: boolean,
  version: string,
  now: number,
) {
  const targets = checks.filter((check) => check.name.startsWith('target:'));
  const warned = targets.some((check) => !check.ok || check.warning !== undefined);
  const shutdown = checks.find((check) => check.name === 'shutdown');
  return {
    status: !ready ? 'fail' : warned ? 'warn' : 'pass',
    version: version.split('.')[0],
    releaseId: version,
    serviceId: 'redis-health-sidecar',
    description: 'Redis targets as the sidecar last probed them',
    ...(shutdown !== undefined && !shutdown.ok && { output: shutdown.detail }),
    checks: Object.fromEntries(
      targets.map((check) => {
        const name = check.name.slice('target:'.length);
        const status = check.ok
          ? check.warning === undefined
            ? 'pass'
            : 'warn'
          : check.gating
            ? 'fail'
            : 'warn';
        const output = check.ok ? check.warning : check.detail;
        return [
          `redis:${name}`,
          [
            {
              componentId: name,
              componentType: 'datastore',
              measurementName: 'responseTime',
              ...(check.latencyMs !== undefined && {
                observedValue: check.latencyMs,
                observedUnit: 'ms',
              }),
              status,
              ...(check.probedAt !== undefined && { time: new Date(check.probedAt).toISOString() }),
              ...(output !== undefined && { output }),
            },
          ],
        ];
      }),
    ),
    time: new Date(now).toISOString(),
  };
}
