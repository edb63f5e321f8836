import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Target, TlsSettings } from '../config/types';
import type { FailureReason } from '../probe/result';

/** A failure to connect that knows its reason: an unreadable file, no usable sentinel. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';

  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The password to send: from `passwordFile` (read now, so a rotated Secret is used on the next
 * connect; one trailing newline dropped, as `kubectl create secret --from-file` leaves one),
 * else from the config.
 */
export function currentPassword(target: Target): string | undefined {
  if (target.passwordFile === undefined) return target.password;
  return readFileSync(target.passwordFile, 'utf8').replace(/\r?\n$/, '');
}

/**
 * TLS options for a target's Redis, with certificate files read now. The server name defaults
 * to the host connected to (for a sentinel target, Node picks the master's host itself).
 */
export function currentTlsOptions(target: Target): ConnectionOptions | undefined {
  if (target.tls === undefined) return undefined;
  const host =
    target.mode === 'standalone' && 'host' in target.endpoint ? target.endpoint.host : undefined;
  return tlsOptions(target.tls, host);
}

/** TLS options for the sentinels of a sentinel target, with files read now. */
export function currentSentinelTlsOptions(target: Target): ConnectionOptions | undefined {
  const tls = target.sentinel?.tls;
  return tls === undefined ? undefined : tlsOptions(tls, undefined);
}

function tlsOptions(tls: TlsSettings, host: string | undefined): ConnectionOptions {
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  const ca = read(tls.ca);
  const cert = read(tls.cert);
  const key = read(tls.key);
  // Node refuses an IP address as server name (SNI); it checks the certificate's IP SANs anyway.
  const servername = tls.serverName ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(servername !== undefined && { servername }),
    ...(ca !== undefined && { ca }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
  };
}

/** Runs a file read, turning its failure into a ConnectError with the given reason. */
export function readingFiles<T>(reason: FailureReason, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConnectError(reason, `cannot read ${what} (${code})`, { cause: error });
  }
}
