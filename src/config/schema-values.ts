import { z } from 'zod';
import { parseDuration } from './duration';

// The values the config schema is built from: durations, counts, ratios, roles, labels, paths,
// addresses and password hashes, each with the words its error shows.

export const durationMeta = {
  description: 'a duration: 250ms, 5s, 1.5s, 1m, 1h',
  // ${VAR} is expanded before validation, so editors must let it through.
  pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h)|.*\\$\\{.+\\}.*)$',
};

/** A duration string, parsed here once: what the rest of the code sees is milliseconds. */
export const duration = z
  .string({ error: 'must be a duration string such as 250ms, 5s or 1m' })
  .meta(durationMeta)
  .refine((text) => (parseDuration(text) ?? 0) > 0, {
    error: (issue) =>
      parseDuration(String(issue.input)) === undefined
        ? 'must be a duration such as 250ms, 5s or 1m'
        : 'must be longer than 0',
  })
  .transform((text) => parseDuration(text) ?? 0);

/** A duration where `0` turns the thing off: `connectCheck: 0`. */
export const durationOrOff = z
  .union([z.literal(0), z.string().meta(durationMeta)], {
    error: 'must be a duration such as 30s or 1m, or 0 (off)',
  })
  .transform((value, context) => {
    const ms = value === 0 || value === '0' ? 0 : parseDuration(value);
    if (ms !== undefined) return ms;
    context.addIssue({
      code: 'custom',
      message: 'must be a duration such as 30s or 1m, or 0 (off)',
    });
    return z.NEVER;
  });

export const positiveInt = z.int({ error: 'must be a whole number' }).min(1, 'must be at least 1');

export const breakerSchema = z.strictObject({
  failureThreshold: positiveInt.optional(),
  recoveryTimeout: duration.optional(),
  successThreshold: positiveInt.optional(),
});

/** The built-in defaults; breaker values match what Redis-backed services already use. */
export const breakerDefaultsSchema = z.strictObject({
  failureThreshold: positiveInt.prefault(5),
  recoveryTimeout: duration.prefault('60s'),
  successThreshold: positiveInt.prefault(2),
});

export const ratio = z
  .number({ error: 'must be a number between 0 and 1, such as 0.9' })
  .gt(0, 'must be more than 0')
  .max(1, 'must be at most 1');

const roles = ['master', 'replica', 'any'] as const;

export const role = z.enum(roles, { error: 'must be master, replica or any' });

/** The longest label value a target may set. */
const MAX_LABEL_VALUE = 256;

/** Label names of the sidecar's own series, and Prometheus's: a target's labels may not take them. */
const reservedLabels = ['target', 'address', 'db', 'mode', 'required', 'instance', 'job'];

/**
 * Extra labels for a target's `redis_health_target_info` and `/targets`: Prometheus label
 * names (letters, digits, underscores, not starting with a digit), not `__`-prefixed (reserved
 * for Prometheus), not one of the sidecar's own.
 */
export const labels = z.record(
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*')
    .refine((name) => !name.startsWith('__'), 'must not start with __ (reserved for Prometheus)')
    .refine((name) => !reservedLabels.includes(name), {
      error: (issue) => `${String(issue.input)} is a label of the sidecar's own series`,
    }),
  // Copied into every /metrics and /targets answer: bounded.
  z
    .string({ error: 'must be a string (quote numbers and booleans)' })
    .max(MAX_LABEL_VALUE, `must be at most ${MAX_LABEL_VALUE} characters`),
  { error: 'must be a mapping of label names to values, such as { team: payments }' },
);

export const filePath = z.string().min(1, 'must be a file path');

export const hostPort = z
  .string()
  .regex(/^(\[[^\]]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be HOST:PORT, such as redis-0:6379');

export const bcryptHash = z
  .string()
  .regex(
    /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/,
    'must be a bcrypt hash ($2y$10$…), e.g. from htpasswd -nbB',
  );
