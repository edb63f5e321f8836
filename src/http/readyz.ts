import type { Context } from 'koa';
import { isReady, type ReadinessCheck } from '../monitor/readiness';
import { healthJson, healthJsonType } from './health-json';

/**
 * Answers a readiness request the way kube-apiserver does: 200 `ok`, or with `?verbose` (and
 * always on failure) one line per check; JSON when the client accepts it. `?exclude=NAME`
 * (repeatable, `main` or `target:main`) leaves a check out, and an unknown name only warns,
 * so a probe URL does not break when a target is renamed. `Accept: application/health+json`
 * gets the draft IETF health-check format.
 */
export function answerReadiness(ctx: Context, checks: readonly ReadinessCheck[], version: string) {
  const asked = queryList(ctx.query.exclude);
  if (asked.length > MAX_EXCLUDES) {
    ctx.status = 400;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `too many names in exclude (at most ${MAX_EXCLUDES})\n`;
    return;
  }
  const excluded = new Set(asked.map(bare));
  const names = new Set(checks.map((check) => bare(check.name)));
  const isExcluded = (check: ReadinessCheck) => excluded.has(bare(check.name));
  const unmatched = [...excluded].filter((name) => !names.has(name));
  const counted = checks.filter((check) => !isExcluded(check));
  const ready = isReady(counted);
  ctx.status = ready ? 200 : 503;
  ctx.set('Cache-Control', 'no-store');

  const wanted = ctx.accepts('text/plain', 'application/json', healthJsonType);
  if (wanted === healthJsonType) {
    ctx.type = healthJsonType;
    ctx.body = healthJson(counted, ready, version, Date.now());
    return;
  }
  if (wanted === 'application/json') {
    ctx.body = {
      status: ready ? 'ok' : 'failed',
      checks: checks.map((check) => ({
        name: check.name,
        ok: check.ok,
        detail: check.detail,
        gating: check.gating,
        excluded: isExcluded(check),
        ...(check.warning !== undefined && { warning: check.warning }),
      })),
      ...(unmatched.length > 0 && { unknownExcludes: unmatched }),
    };
    return;
  }
  ctx.type = 'text/plain; charset=utf-8';
  if (ready && ctx.query.verbose === undefined) {
    ctx.body = 'ok';
    return;
  }
  const lines = checks.map((check) => {
    if (isExcluded(check)) return `[+]${check.name} excluded: ok`;
    const note = check.gating ? '' : ' (not required)';
    return check.ok ? `[+]${check.name} ok` : `[-]${check.name} failed: ${check.detail}${note}`;
  });
  for (const name of unmatched) {
    lines.push(
      `warn: some health checks cannot be excluded: no matches for "${name.slice(0, 64)}"`,
    );
  }
  lines.push(`readyz check ${ready ? 'passed' : 'failed'}`);
  ctx.body = `${lines.join('\n')}\n`;
}

/** Names one request may exclude: enough for any probe URL, too few to cost real work. */
export const MAX_EXCLUDES = 100;

/** `target:main` and `main` name the same check. */
function bare(name: string): string {
  return name.startsWith('target:') ? name.slice('target:'.length) : name;
}

function queryList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .filter(Boolean);
}
