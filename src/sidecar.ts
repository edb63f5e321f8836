import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from './config/types';
import { createFailureLog } from './logging/failure-log';
import { createApp } from './http/app';
import { createAuth } from './http/auth';
import { startServer, type HttpServer } from './http/server';
import { createMetrics } from './metrics/create-metrics';
import { renderMetrics, wantsOpenMetrics } from './metrics/exposition';
import { createMonitor, type Monitor } from './monitor/monitor';
import { isReady, readinessChecks } from './monitor/readiness';
import { realScheduler, type Scheduler } from './monitor/scheduler';
import type { MonitorEvents } from './monitor/target-monitor';
import { createOnDemandProber } from './probe/on-demand';
import { createProber } from './probe/prober';
import { version } from './version';

export interface Sidecar {
  readonly monitor: Monitor;
  readonly registry: Registry;
  /** Starts probing and serving; resolves once the HTTP server listens. */
  start(): Promise<HttpServer>;
  /**
   * Applies a reloaded config: targets (unchanged ones keep their state), log level,
   * shutdownDelay. A new `listen` needs a restart and is reported, not applied.
   */
  reload(next: Config): Promise<void>;
  /** Records a reload that failed (the old config keeps running). */
  reloadFailed(): void;
  /** The config in use. */
  config(): Config;
  /** /readyz fails from now on; probing and serving go on. */
  beginShutdown(): void;
  /** Closes the HTTP server, stops probing and QUITs the Redis connections. */
  stop(): Promise<void>;
}

/** Wires config, monitor, metrics and HTTP together: the `serve` command without signals. */
export function createSidecar(
  config: Config,
  logger: Logger,
  scheduler: Scheduler = realScheduler,
): Sidecar {
  const registry = new Registry();
  let shuttingDown = false;
  const statuses = () => monitor.statuses();
  const metrics = createMetrics(
    registry,
    { statuses, ready: () => isReady(readinessChecks(statuses(), shuttingDown)) },
    { version, nodejs: process.version },
  );
  const logFailure = createFailureLog(logger);
  const events: MonitorEvents = {
    started: (target, lateMs) => metrics.events.started(target, lateMs),
    probed(target, result) {
      metrics.events.probed(target, result);
      logFailure(target, result);
    },
    transitioned(target, transition) {
      metrics.events.transitioned(target, transition);
      const status = monitor.statuses().find((item) => item.target === target);
      const reason = status?.lastFailure?.reason;
      const level = transition.to === 'open' ? 'warn' : 'info';
      logger[level](
        { target: target.name, ...transition, reason },
        `breaker ${transition.from} -> ${transition.to}`,
      );
    },
  };
  const monitor = createMonitor({ targets: config.targets, createProber, scheduler, events });
  metrics.track(config.targets);
  let current = config;
  const probeNow = createOnDemandProber(() => current.targets);
  let server: HttpServer | undefined;

  return {
    monitor,
    registry,
    async start() {
      const app = createApp({
        statuses,
        liveness: () => monitor.liveness(),
        shuttingDown: () => shuttingDown,
        renderMetrics: (accept) => renderMetrics(registry, wantsOpenMetrics(accept)),
        probeNow: (name, scrapeTimeout, accept) =>
          probeNow(name, scrapeTimeout, wantsOpenMetrics(accept)),
        version,
        logger,
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
      await monitor.update(next.targets);
      metrics.track(next.targets);
      metrics.reloaded(true, Date.now());
    },
    reloadFailed() {
      metrics.reloaded(false, Date.now());
    },
    config: () => current,
    beginShutdown() {
      shuttingDown = true;
    },
    async stop() {
      shuttingDown = true;
      await server?.close();
      await monitor.stop();
    },
  };
}
