import type { Target } from '../config/types';
import { currentPassword } from '../redis/access';
import type { ProbeReport } from './report';

/**
 * Removes a target's own credentials from every text of a report. A Redis can echo them: with
 * AUTH renamed away, it answers `ERR unknown command 'auth', with args beginning with:
 * 'app' 'the-password'`, and that reply would reach /status, the page, the logs and `check`.
 * The password file is read only for a report that failed somewhere, where an echo can be.
 */
export function createSecretScrubber(target: Target): (report: ProbeReport) => ProbeReport {
  const fixed = [
    target.password,
    target.username,
    target.sentinel?.password,
    target.sentinel?.username,
  ].filter((secret): secret is string => secret !== undefined && secret !== '');
  return (report) => {
    if (report.result.ok && report.connect?.result.ok !== false && report.sentinels === undefined) {
      return report;
    }
    const secrets = [...fixed, ...fromFile(target)];
    return secrets.length === 0 ? report : scrub(report, secrets);
  };
}

function fromFile(target: Target): string[] {
  if (target.passwordFile === undefined) return [];
  try {
    const password = currentPassword(target);
    return password === undefined || password === '' ? [] : [password];
  } catch {
    return []; // unreadable: the probe says so, and nothing of it can be in a reply
  }
}

/** `value` with each secret replaced by `***` in every string inside it. */
function scrub<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') {
    let text: string = value;
    // Longest first, so a password that contains the username is removed whole.
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
      if (text.includes(secret)) text = text.split(secret).join('***');
    }
    return text as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => scrub(item, secrets)) as T;
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, scrub(item, secrets)]),
    ) as T;
  }
  return value;
}
