import type Koa from 'koa';
import type { Logger } from 'pino';
import { rateLimited } from '../logging/rate-limited';
import { safeMessage } from '../logging/redact';

const METHODS = ['GET', 'HEAD'];

/**
 * Every request that goes wrong ends here: a handler's exception becomes a 500 and one log
 * line, a method other than GET or HEAD a 405, an unknown path a 404 with a short reason; and
 * Koa's own error output (plain text and a stack on stderr) goes through the JSON logger
 * instead, rate-limited, with a client that hung up at debug. Install before the routes.
 */
export function handleErrors(app: Koa, logger: Logger): void {
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      logger.error({ err: error, path: ctx.path }, 'request failed');
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
  // Koa's own handler would print these as plain text on stderr, outside the JSON logs.
  const warn = rateLimited((fields, message) => logger.warn(fields, message), 10);
  app.on('error', (error: NodeJS.ErrnoException, ctx?: Koa.Context) => {
    const fields = {
      err: { code: error.code, message: safeMessage(String(error.message)) },
      path: ctx?.path,
    };
    if (error.code !== undefined && CLIENT_GONE.has(error.code)) {
      logger.debug(fields, 'the client went away before its answer was sent');
    } else warn(fields, 'HTTP request failed');
  });
}

/** Errors that say only that a client closed its connection early. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** A 404 with a short reason. */
export function notFound(ctx: Koa.Context, message: string) {
  reject(ctx, 404, message);
}

/** A 4xx with a short plain-text reason (cut to 120 characters: it may echo the request). */
export function reject(ctx: Koa.Context, status: number, message: string) {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message.slice(0, 120)}\n`;
}
