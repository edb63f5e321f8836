import { accessSync, constants } from 'node:fs';
import type { KeyedProblem } from './errors';
import type { ParsedRedisUrl } from './redis-url';
import type { CheckedTarget, TlsSettings } from './schema';

type Keys = readonly PropertyKey[];

export interface Access {
  username?: string;
  password?: string;
  passwordFile?: string;
  tls?: TlsSettings;
}

/**
 * Credentials and TLS of a target, from its URL and its keys. Each secret has exactly one
 * source; files must be readable at start (they are read again at every connect).
 */
export function resolveAccess(
  input: CheckedTarget,
  url: ParsedRedisUrl,
  at: Keys,
  problems: KeyedProblem[],
): Access {
  const problem = (key: PropertyKey, message: string) =>
    problems.push({ keys: [...at, key], message });
  if (input.password !== undefined && input.passwordFile !== undefined) {
    problem('passwordFile', 'set either password or passwordFile, not both');
  }
  if (url.password !== undefined && (input.password ?? input.passwordFile) !== undefined) {
    problem('url', 'the URL has a password and so do the target keys: keep one');
  }
  if (
    url.username !== undefined &&
    input.username !== undefined &&
    url.username !== input.username
  ) {
    problem('username', 'differs from the user in the URL: keep one');
  }
  if (input.passwordFile !== undefined)
    checkReadable(input.passwordFile, [...at, 'passwordFile'], problems);

  const username = input.username ?? url.username;
  const password = input.password ?? url.password;
  return {
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(input.passwordFile !== undefined && { passwordFile: input.passwordFile }),
    ...resolveTls(input, url, at, problems),
  };
}

function resolveTls(input: CheckedTarget, url: ParsedRedisUrl, at: Keys, problems: KeyedProblem[]) {
  const tls = input.tls;
  if (tls !== undefined && !url.tls) {
    problems.push({ keys: [...at, 'tls'], message: 'needs a rediss:// url (TLS)' });
    return {};
  }
  if (!url.tls) return {};
  if (tls === undefined) return { tls: { rejectUnauthorized: true } };
  checkTlsFiles(tls, [...at, 'tls'], problems);
  return { tls };
}

/** The TLS files must be readable now, and cert goes with key. */
export function checkTlsFiles(tls: TlsSettings, at: Keys, problems: KeyedProblem[]): void {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    problems.push({
      keys: [...at, tls.cert === undefined ? 'cert' : 'key'],
      message: 'cert and key go together',
    });
  }
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = tls[key];
    if (file !== undefined) checkReadable(file, [...at, key], problems);
  }
}

/** Adds a problem when `file` cannot be read now. */
export function checkReadable(file: string, keys: Keys, problems: KeyedProblem[]) {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    problems.push({
      keys,
      message: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
}
