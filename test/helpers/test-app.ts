import { createApp } from '../../src/http/app';
import { startServer, type HttpServer } from '../../src/http/server';
import { createHistory } from '../../src/monitor/history';
import type { Liveness } from '../../src/monitor/monitor';
import { isReady, readinessChecks } from '../../src/monitor/readiness';
import type { TargetStatus } from '../../src/monitor/target-status';
import { createWatchFeed } from '../../src/monitor/watch-feed';
import { createWatchStreams } from '../../src/http/watch';
import { createLogSink, type LogSink } from './log-sink';
import { makeTarget } from './targets';

/** The time every fake status was probed at. */
export const now = Date.UTC(2026, 10, 23, 12);

export function healthy(name: string, required = true): TargetStatus {
  return {
    target: makeTarget({ name, required, address: `${name}:6379` }),
    address: `${name}:6379`,
    breaker: 'closed',
    up: true,
    consecutiveFailures: 0,
    lastLatencySeconds: 0.0004,
    lastSuccessAt: now,
    lastProbeAt: now,
    probes: 3,
    inconclusiveProbes: 0,
  };
}

export function broken(name: string, required = true): TargetStatus {
  return {
    ...healthy(name, required),
    breaker: 'open',
    up: false,
    consecutiveFailures: 5,
    lastFailure: { reason: 'timeout', message: 'no reply within 200ms', at: now },
  };
}

/** What the app reads, set by each test; reset to two healthy targets before each. */
export interface TestApp {
  base: string;
  statuses: TargetStatus[];
  shuttingDown: boolean;
  liveness: Liveness;
  probeCalls: Array<{ name: string; scrapeTimeout: number | undefined }>;
  /** Pages whose response has closed. */
  released: number;
  sink: LogSink;
}

/**
 * Serves the Koa app over fake state for the test file that calls it: started before all its
 * tests, state reset before each, closed after all. `/metrics` serves `metrics exposition\n`;
 * `/probe` answers for the configured names, and "busy" is turned away.
 */
export function useTestApp(): TestApp {
  let server: HttpServer | undefined;
  const fresh = () => ({
    statuses: [healthy('main'), healthy('cache', false)],
    shuttingDown: false,
    liveness: { ok: true, detail: 'ok' },
    probeCalls: [],
  });
  const app: TestApp = { base: '', released: 0, sink: createLogSink(), ...fresh() };
  const page = (body: string, sending: { once(event: 'close', fn: () => void): unknown }) => {
    sending.once('close', () => void (app.released += 1));
    return { contentType: 'text/plain', chunks: [Buffer.from(body)], length: body.length };
  };
  const checks = () => readinessChecks(app.statuses, app.shuttingDown);

  beforeAll(async () => {
    const koa = createApp({
      statuses: () => app.statuses,
      readiness: {
        checks,
        ready: () => isReady(checks()),
        shuttingDown: () => app.shuttingDown,
        beginShutdown: () => void (app.shuttingDown = true),
      },
      liveness: () => app.liveness,
      pressure: () => ({ stalledSeconds: 0, cpuThrottledSeconds: null }),
      history: createHistory(),
      renderMetrics: (_accept, sending) => Promise.resolve(page('metrics exposition\n', sending)),
      version: '9.9.9',
      sharding: () => ({ shard: 0, total: 1 }),
      logger: app.sink.logger,
      heavy: { concurrency: 2, sendTimeoutMs: 2000 },
      watch: createWatchStreams(createWatchFeed(Date.now), { heartbeatMs: 15_000, maxStreams: 4 }),
      probeNow(name, scrapeTimeout, _accept, sending) {
        app.probeCalls.push({ name, scrapeTimeout });
        if (name === 'busy') return Promise.resolve({ kind: 'busy' });
        if (!app.statuses.some((status) => status.target.name === name)) {
          return Promise.resolve({ kind: 'unknown' });
        }
        return Promise.resolve({ kind: 'metrics', ...page('probe_success 1\n', sending) });
      },
    });
    server = await startServer(koa, { host: '127.0.0.1', port: 0 });
    app.base = `http://127.0.0.1:${server.address.port}`;
  });
  afterAll(() => server?.close());
  beforeEach(() => Object.assign(app, fresh()));
  return app;
}
