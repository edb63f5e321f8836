import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { MetricsPage, Sending } from '../exposition/exposition';
import type { History } from '../monitor/history';
import type { Liveness } from '../monitor/monitor';
import { redisAlive, type Readiness } from '../monitor/readiness';
import type { Sharding } from '../config/types';
import type { TargetStatus } from '../monitor/target-status';
import { clientGone } from './client-gone';
import { describeDiscovery } from './discovery';
import { handleErrors, notFound, reject } from './errors';
import { jsonTexts, streamInPieces, streamPaced } from './pieces';
import { limitHeavyAnswers, type HeavyAnswerLimits } from './heavy-answers';

import { answerReadiness } from './readyz';
import { describeEvent, describeHistory, describePressure, describeTarget } from './status';
import { statusPageParts } from './status-page';
import type { WatchStreams } from './watch';

/** The answer of an on-demand probe, as the HTTP layer needs it. */
export type ProbeAnswer =
  ({ kind: 'metrics' } & MetricsPage) | { kind: 'unknown' } | { kind: 'busy' } | { kind: 'gone' };

/** How much the sidecar itself could not run: counted stall time and cgroup CPU throttling. */
export interface Pressure {
  stalledSeconds: number;
  /** Null where the cgroup's cpu.stat is not readable. */
  cpuThrottledSeconds: number | null;
}

/** What the HTTP layer reads. Everything is in memory: no request ever waits on Redis. */
export interface HttpSources {
  statuses(): readonly TargetStatus[];
  readiness: Readiness;
  liveness(): Liveness;
  /** What the sidecar knows of its own starvation, for /status and the status page. */
  pressure(): Pressure;
  /** The recent past, for people: the status page and `/status?history=1`. */
  history: History;
  renderMetrics(accept: string | undefined, sending: Sending): Promise<MetricsPage>;
  /** Probes a configured target now (`/probe`): the one route that waits on Redis, bounded. */
  probeNow(
    name: string,
    scrapeTimeoutSeconds: number | undefined,
    accept: string | undefined,
    sending: Sending,
    /** Aborts when the client goes: the probe stops waiting and drops its connection. */
    gone: AbortSignal,
  ): Promise<ProbeAnswer>;
  version: string;
  /** This process's shard of the targets, for /status and /targets. */
  sharding(): Sharding;
  /** `/watch`: each target's state pushed as Server-Sent Events. */
  watch: WatchStreams;
  logger: Logger;
  /** Bounds on each heavy route's answers: /metrics, /status, /targets and the status page. */
  heavy: HeavyAnswerLimits;
  /** Guards /metrics, /status, /probe and / when auth is configured; health endpoints stay open. */
  auth?: Middleware;
}

/** Builds the Koa app serving /metrics, /healthz, /readyz, /readyz/NAME, /livez/NAME and /status. */
export function createApp(sources: HttpSources): Koa {
  const app = new Koa();
  const router = new Router();
  const { readiness } = sources;
  const checks = () => readiness.checks();
  const guard: Middleware = sources.auth ?? ((_, next) => next());
  // Each heavy route has its own slots: a storm of scrapes does not lock people out of the page.
  const heavy = () => limitHeavyAnswers(sources.heavy);

  router.get('/metrics', guard, heavy(), async (ctx) => {
    sendMetrics(ctx, await sources.renderMetrics(ctx.get('Accept') || undefined, ctx.res));
  });
  router.get('/healthz', (ctx) => {
    const liveness = sources.liveness();
    ctx.status = liveness.ok ? 200 : 500;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = liveness.ok ? 'ok' : `failed: ${liveness.detail}\n`;
  });
  router.get('/readyz', (ctx) => answerReadiness(ctx, checks(), sources.version));
  router.get('/readyz/:name', (ctx) => {
    const check = checks().find((item) => item.name === `target:${ctx.params.name}`);
    if (check === undefined) return notFound(ctx, `unknown target: ${ctx.params.name}`);
    answerReadiness(ctx, [{ ...check, gating: true }], sources.version);
  });
  router.get('/livez/:name', (ctx) => {
    const status = sources.statuses().find((item) => item.target.name === ctx.params.name);
    if (status === undefined) return notFound(ctx, `unknown target: ${ctx.params.name}`);
    const { alive, detail } = redisAlive(status);
    ctx.status = alive ? 200 : 503;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = `${detail}\n`;
  });
  router.get('/probe', guard, async (ctx) => {
    const name = ctx.query.target;
    if (typeof name !== 'string' || name === '') {
      return reject(ctx, 400, 'want exactly one ?target=NAME of a configured target');
    }
    const header = ctx.get('X-Prometheus-Scrape-Timeout-Seconds');
    const scrapeTimeout = header === '' ? undefined : Number(header);
    if (scrapeTimeout !== undefined && !(scrapeTimeout > 0 && scrapeTimeout <= 3600)) {
      return reject(ctx, 400, 'X-Prometheus-Scrape-Timeout-Seconds must be seconds, such as 10');
    }
    const accept = ctx.get('Accept') || undefined;
    const answer = await sources.probeNow(
      name,
      scrapeTimeout,
      accept,
      ctx.res,
      clientGone(ctx.res),
    );
    if (answer.kind === 'gone') return;
    if (answer.kind === 'unknown') return notFound(ctx, `unknown target: ${name}`);
    if (answer.kind === 'busy') {
      ctx.set('Retry-After', '1');
      return reject(ctx, 429, 'too many probes at once');
    }
    sendMetrics(ctx, answer);
  });
  router.get('/', guard, heavy(), (ctx) => {
    const refresh = ctx.query.refresh;
    const refreshSeconds = refresh === undefined ? undefined : Number(refresh);
    if (
      refreshSeconds !== undefined &&
      !(Number.isInteger(refreshSeconds) && refreshSeconds >= 2 && refreshSeconds <= 3600)
    ) {
      return reject(ctx, 400, 'refresh must be whole seconds from 2 to 3600, such as ?refresh=5');
    }
    ctx.set('Cache-Control', 'no-store');
    // No scripts at all; the page's only style is inline.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = streamInPieces(
      statusPageParts(sources.statuses(), {
        version: sources.version,
        ready: readiness.ready(),
        now: Date.now(),
        sidecar: describePressure(sources.pressure(), sources.statuses()),
        history: sources.history,
        refreshSeconds,
      }),
    );
  });
  router.get('/watch', guard, (ctx) => sources.watch.serve(ctx));
  router.get('/targets', guard, heavy(), (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = describeDiscovery(sources.statuses(), sources.sharding(), ctx.host);
  });
  router.get('/status', guard, heavy(), (ctx) => {
    const statuses = sources.statuses();
    const { history } = sources;
    const withHistory = ctx.query.history !== undefined && ctx.query.history !== '0';
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json; charset=utf-8';
    // Described target by target as the client reads: 17 MB with history at 1000 targets.
    ctx.body = streamInPieces(
      jsonTexts(
        {
          version: sources.version,
          ready: readiness.ready(),
          shuttingDown: readiness.shuttingDown(),
          shard: sources.sharding(),
          sidecar: describePressure(sources.pressure(), statuses),
        },
        {
          targets: mapLazily(statuses, (status) =>
            withHistory
              ? { ...describeTarget(status), history: describeHistory(history, status) }
              : describeTarget(status),
          ),
          ...(withHistory && { events: mapLazily(history.events(), describeEvent) }),
        },
      ),
    );
  });

  handleErrors(app, sources.logger);
  app.use(router.routes());
  return app;
}

/** Pages up to this size are joined into one buffer: the copy costs less than a stream. */
const JOIN_BELOW = 256 * 1024;

function sendMetrics(ctx: Koa.Context, page: MetricsPage) {
  ctx.type = page.contentType;
  // A 3 MB page (1000 targets) is sent chunk by chunk from where it was written, never copied.
  ctx.body =
    page.length <= JOIN_BELOW ? Buffer.concat(page.chunks, page.length) : streamPaced(page.chunks);
  ctx.length = page.length;
}

function* mapLazily<T, U>(items: Iterable<T>, describe: (item: T) => U): Generator<U> {
  for (const item of items) yield describe(item);
}
