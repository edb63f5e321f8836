import type { KeyedProblem } from './errors';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g;

/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Expands `${VAR}` and `${VAR:-fallback}` in every string value (not in keys), as a shell would:
 * the fallback applies when the variable is unset or empty. `$${` stands for a literal `${`.
 * An unset variable without a fallback is a problem at that value's path.
 */
export function expandEnv(
  value: unknown,
  env: Env,
  problems: KeyedProblem[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return expandString(value, env, problems, path);
  if (Array.isArray(value)) {
    return value.map((item, index) => expandEnv(item, env, problems, [...path, index]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expandEnv(item, env, problems, [...path, key]),
      ]),
    );
  }
  return value;
}

function expandString(text: string, env: Env, problems: KeyedProblem[], path: PropertyKey[]) {
  return text.replace(
    REFERENCE,
    (match, name?: string, hasFallback?: string, fallback?: string) => {
      if (name === undefined) return '${';
      const value = env[name];
      if (hasFallback !== undefined)
        return value === undefined || value === '' ? (fallback ?? '') : value;
      if (value === undefined) {
        problems.push({ keys: path, message: `environment variable ${name} is not set` });
        return match;
      }
      return value;
    },
  );
}
