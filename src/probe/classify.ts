import { reasons, type FailureReason } from './result';

const BY_CODE: Record<string, FailureReason> = {
  ECONNREFUSED: 'refused',
  ENOENT: 'refused',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EACCES: 'refused',
};

/** Redis error replies start with a code word; these decide the reason. */
const BY_REPLY: Record<string, FailureReason> = {
  NOAUTH: 'auth',
  WRONGPASS: 'auth',
  NOPERM: 'auth',
  LOADING: 'loading',
  MASTERDOWN: 'masterdown',
  READONLY: 'readonly',
  OOM: 'oom',
  MISCONF: 'misconf',
  BUSY: 'busy',
  NOREPLICAS: 'noreplicas',
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/**
 * The message of anything thrown. Checks the shape rather than `instanceof Error`: errors made
 * by Node's own modules fail that test inside another realm (a vm context, as test runners use).
 */
export function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null
      ? (error as { message?: unknown }).message
      : undefined;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Maps an error from a probe to the fixed reason enum. Works on Node socket errors (by `code`),
 * Redis error replies (by their first word) and ioredis's own connection errors.
 */
export function classifyError(error: unknown): FailureReason {
  const known =
    typeof error === 'object' && error !== null
      ? (error as { reason?: unknown }).reason
      : undefined;
  if (
    typeof known === 'string' &&
    (reasons as readonly string[]).includes(known) &&
    known !== 'ok'
  ) {
    return known as FailureReason;
  }
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = messageOf(error);
  if (typeof code === 'string') {
    if (BY_CODE[code] !== undefined) return BY_CODE[code];
    if (TLS_CODE.test(code)) return 'tls';
  }
  const word = /^[A-Z]+/.exec(message)?.[0];
  if (word !== undefined && BY_REPLY[word] !== undefined) return BY_REPLY[word];
  if (/^ERR (invalid password|AUTH|Client sent AUTH)/i.test(message)) return 'auth';
  if (/^Unknown RESP type|^Protocol error/.test(message)) return 'protocol';
  if (/ssl|tls|certificate|handshake/i.test(message)) return 'tls';
  if (/connection is closed|stream isn't writeable|socket closed/i.test(message)) return 'closed';
  return 'error';
}
