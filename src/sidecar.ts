import type { Logger } from 'pino';
import { shardTargets, type Config } from './config/types';
import { createExposition } from './exposition/exposition';
import { createApp } from './http/app';
import { createAuth } from './http/auth';
import { createWatchStreams } from './http/watch';
import { startServer, type HttpServer } from './http/server';
import { createProbeLog } from './logging/probe-log';
import { createMetrics } from './metrics/create-metrics';
import { createProbeExposition } from './metrics/probe-metrics';
import { createThrottleReader } from './monitor/cpu-throttle';
import { createHistory, type ReloadOutcome } from './monitor/history';
import { createMonitor, type Monitor } from './monitor/monitor';
import { createReadiness } from './monitor/readiness';
import { realScheduler, type Scheduler } from './monitor/scheduler';
import { createWatchFeed } from './monitor/watch-feed';
import { createOnDemandProber } from './probe/on-demand';
import { createProber } from './probe/prober';
import { version } from './version';

export interface Sidecar {
  readonly monitor: Monitor;
  /** Starts probing and serving; resolves once the HTTP server listens. */
  start(): Promise<HttpServer>;
  /**
   * Applies a reloaded config: targets (unchanged ones keep their state), log level,
   * shutdownDelay. A new `listen` needs a restart and is reported, not applied. Records the
   * reload once: applied, or applied with broken target files keeping their targets.
   */
  reload(next: Config): Promise<void>;
  /** Records a reload that was refused (the old config keeps running). */
  reloadFailed(): void;
  /** The config in use. */
  config(): Config;
  /** /readyz fails from now on; probing and serving go on. */
  beginShutdown(): void;
  /** Closes the HTTP server, stops probing and QUITs the Redis connections. */
  stop(): Promise<void>;
}

/** Wires config, monitor, metrics, logs and HTTP together: the `serve` command without signals. */
export function createSidecar(
  config: Config,
  logger: Logger,
  scheduler: Scheduler = realScheduler,
): Sidecar {
  const statuses = () => monitor.statuses();
  const readiness = createReadiness(statuses);
  const exposition = createExposition();
  const throttledSeconds = createThrottleReader();
  const history = createHistory();
  const stalledMs = () => monitor.stalledMs();
  const metrics = createMetrics(
    exposition,
    {
      statuses,
      ready: () => readiness.ready(),
      stalledMs,
      throttledSeconds,
      sharding: () => current.sharding,
    },
    { version, nodejs: process.version },
  );
  const feed = createWatchFeed(() => scheduler.now());
  const watch = createWatchStreams(feed, {
    heartbeatMs: config.http.watch.heartbeat,
    maxStreams: config.http.watch.maxStreams,
  });
  const monitor = createMonitor({
    targets: shardTargets(config),
    createProber,
    scheduler,
    listeners: [
      metrics.listener,
      history.listener,
      feed.listener,
      createProbeLog(logger, { throttledSeconds }),
    ],
  });
  let current = config;
  // The monitor owns the target list: /probe knows a target exactly while it is probed.
  const probeNow = createOnDemandProber(
    (name) => monitor.statuses().find((status) => status.target.name === name)?.target,
    createProber,
    config.http.probeConcurrency,
  );
  let server: HttpServer | undefined;
  const record = (outcome: ReloadOutcome) => {
    metrics.reloaded(outcome, Date.now());
    history.reloaded(outcome);
  };

  return {
    monitor,
    async start() {
      const app = createApp({
        statuses,
        readiness,
        liveness: () => monitor.liveness(),
        history,
        pressure: () => ({
          stalledSeconds: stalledMs() / 1000,
          cpuThrottledSeconds: throttledSeconds() ?? null,
        }),
        renderMetrics: (accept, sending) => exposition.render(accept, sending),
        async probeNow(name, scrapeTimeout, accept, sending, gone) {
          const answer = await probeNow(name, scrapeTimeout, gone);
          if (answer.kind !== 'probed') return answer;
          const page = await createProbeExposition(answer).render(accept, sending);
          return { kind: 'metrics', ...page };
        },
        version,
        sharding: () => current.sharding,
        watch,
        logger,
        heavy: {
          concurrency: config.http.heavyConcurrency,
          sendTimeoutMs: config.http.sendTimeout,
        },
        ...(config.http.auth !== undefined && { auth: createAuth(config.http.auth) }),
      });
      server = await startServer(app, config.listen, config.http.tls, logger);
      monitor.start();
      return server;
    },
    async reload(next) {
      if (next.listen.host !== current.listen.host || next.listen.port !== current.listen.port) {
        logger.warn(
          { listen: `${current.listen.host}:${current.listen.port}` },
          'listen changed in the config: it takes effect at the next restart',
        );
      }
      if (JSON.stringify(next.http) !== JSON.stringify(current.http)) {
        logger.warn('http (TLS, auth) changed in the config: it takes effect at the next restart');
      }
      current = { ...next, listen: current.listen, http: current.http };
      logger.level = next.logLevel;
      await monitor.update(shardTargets(next));
      record((next.targetFiles?.broken.length ?? 0) > 0 ? 'files kept' : 'applied');
    },
    reloadFailed: () => record('refused'),
    config: () => current,
    beginShutdown: () => readiness.beginShutdown(),
    async stop() {
      readiness.beginShutdown();
      watch.close();
      await server?.close();
      await monitor.stop();
    },
  };
}
