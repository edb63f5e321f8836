import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Liveness } from '../monitor/monitor';
import { readinessChecks, isReady } from '../monitor/readiness';
import type { TargetStatus } from '../monitor/target-status';
import { answerReadiness } from './readyz';
import { describeTarget } from './status';

/** What the HTTP layer reads. Everything is in memory: no request ever waits on Redis. */
export interface HttpSources {
  statuses(): readonly TargetStatus[];
  liveness(): Liveness;
  shuttingDown(): boolean;
  renderMetrics(accept: string | undefined): Promise<{ contentType: string; body: string }>;
  version: string;
  logger: Logger;
}

const METHODS = ['GET', 'HEAD'];

/** Builds the Koa app serving /metrics, /healthz, /readyz, /readyz/NAME and /status. */
export function createApp(sources: HttpSources): Koa {
  const app = new Koa();
  const router = new Router();
  const checks = () => readinessChecks(sources.statuses(), sources.shuttingDown());

  router.get('/metrics', async (ctx) => {
    const { contentType, body } = await sources.renderMetrics(ctx.get('Accept') || undefined);
    ctx.type = contentType;
    ctx.body = body;
  });
  router.get('/healthz', (ctx) => {
    const liveness = sources.liveness();
    ctx.status = liveness.ok ? 200 : 500;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = liveness.ok ? 'ok' : `failed: ${liveness.detail}\n`;
  });
  router.get('/readyz', (ctx) => answerReadiness(ctx, checks(), 'readyz'));
  router.get('/readyz/:name', (ctx) => {
    const check = checks().find((item) => item.name === `target:${ctx.params.name}`);
    if (check === undefined) return notFound(ctx, `unknown target: ${ctx.params.name}`);
    answerReadiness(ctx, [{ ...check, gating: true }], 'readyz');
  });
  router.get('/status', (ctx) => {
    const statuses = sources.statuses();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      version: sources.version,
      ready: isReady(checks()),
      shuttingDown: sources.shuttingDown(),
      targets: statuses.map(describeTarget),
    };
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      sources.logger.error({ err: error, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'internal error\n';
    }
  });
  app.use(async (ctx, next) => {
    if (!METHODS.includes(ctx.method)) {
      ctx.status = 405;
      ctx.set('Allow', METHODS.join(', '));
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'method not allowed\n';
      return;
    }
    await next();
    if (ctx.status === 404 && ctx.body === undefined) notFound(ctx, 'not found');
  });
  app.use(router.routes());
  return app;
}

function notFound(ctx: Koa.Context, message: string) {
  ctx.status = 404;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message.slice(0, 120)}\n`;
}
