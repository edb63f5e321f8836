import type { CertificateView } from '../redis/peer-certificate';
import { QUIT_TIMEOUT_MS } from './report';
import { isInconclusive } from './result';
import { runProbe, type ProbeConnection, type StallGauge } from './run-probe';
import type { ConnectView } from './views';

/** A connection opened for one check only: probed once, then closed. */
export interface FreshConnection extends ProbeConnection {
  close(timeoutMs: number): Promise<void>;
  certificate(): CertificateView | undefined;
}

export interface ConnectCheckOptions {
  everyMs: number;
  timeoutMs: number;
  /** How often to try again while the check fails. */
  retryMs: number;
  stalled?: StallGauge | undefined;
  /** Source of the first check's spread; injected so tests can pin it. */
  random?: () => number;
}

export interface ConnectCheck {
  /**
   * Runs the check when it is due; resolves to the last outcome (undefined before the first).
   * `probing` false (the kept connection's last probe failed: the target is down already) puts
   * it off: a new connection would say nothing more, and cost a connection per target.
   */
  run(probing?: boolean): Promise<ConnectView | undefined>;
  /** The certificate the last fresh connection was shown, if it used TLS. */
  certificate(): CertificateView | undefined;
}

/**
 * Opens a brand-new connection the whole way (DNS, TCP, TLS with the current files, AUTH with
 * the current password, SELECT, PING) every `everyMs`, then QUITs it: what a long-lived
 * connection answering PONG cannot show (maxclients full, a rotated password, an expired
 * certificate, a disabled ACL user). The first check is within one period after start (the
 * probe connection's own first connect went the same way), spread over its second half. While
 * it fails it is retried every `retryMs`, so recovery shows within a probe interval.
 */
export function createConnectCheck(
  open: () => FreshConnection,
  options: ConnectCheckOptions,
  now: () => number = Date.now,
): ConnectCheck {
  // The first check falls in the second half of the first period, so a thousand targets
  // started together do not open a thousand connections in the same second every minute.
  let dueAt = now() + options.everyMs * (1 - (options.random ?? Math.random)() / 2);
  let view: ConnectView | undefined;
  let certificate: CertificateView | undefined;
  return {
    async run(probing = true) {
      if (options.everyMs === 0 || now() < dueAt || !probing) return view;
      dueAt = now() + options.everyMs;
      const connection = open();
      const started = performance.now();
      const result = await runProbe(connection, options.timeoutMs, options.stalled);
      void connection.close(QUIT_TIMEOUT_MS); // in the background
      certificate = connection.certificate() ?? certificate;
      // The sidecar's own stall says nothing about Redis: keep the last outcome, try next probe.
      if (isInconclusive(result)) {
        dueAt = now();
        return view;
      }
      view = {
        result: result.ok ? { ok: true, seconds: (performance.now() - started) / 1000 } : result,
        at: now(),
      };
      if (!result.ok) dueAt = now() + Math.min(options.retryMs, options.everyMs);
      return view;
    },
    certificate: () => certificate,
  };
}
