import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Target } from '../config/types';
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

/** TLS options for a `rediss://` target, with certificate files read now. */
export function currentTlsOptions(target: Target): ConnectionOptions | undefined {
  const tls = target.tls;
  if (tls === undefined) return undefined;
  const host = 'host' in target.endpoint ? target.endpoint.host : undefined;
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  const ca = read(tls.ca);
  const cert = read(tls.cert);
  const key = read(tls.key);
  const servername = tls.serverName ?? host;
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
