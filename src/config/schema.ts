import { z } from 'zod';
import { parseDuration } from './duration';

/**
 * The shape of the configuration file, as written by users. This one schema validates files,
 * documents the keys and (later) generates the JSON Schema for editors.
 */
const durationMeta = {
  description: 'a duration: 250ms, 5s, 1.5s, 1m, 1h',
  // ${VAR} is expanded before validation, so editors must let it through.
  pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h)|.*\\$\\{.+\\}.*)$',
};

const duration = z
  .string({ error: 'must be a duration string such as 250ms, 5s or 1m' })
  .meta(durationMeta)
  .refine((text) => (parseDuration(text) ?? 0) > 0, {
    error: (issue) =>
      parseDuration(String(issue.input)) === undefined
        ? 'must be a duration such as 250ms, 5s or 1m'
        : 'must be longer than 0',
  });

const positiveInt = z.int({ error: 'must be a whole number' }).min(1, 'must be at least 1');

export const breakerSchema = z.strictObject({
  failureThreshold: positiveInt.optional(),
  recoveryTimeout: duration.optional(),
  successThreshold: positiveInt.optional(),
});

const ratio = z
  .number({ error: 'must be a number between 0 and 1, such as 0.9' })
  .gt(0, 'must be more than 0')
  .max(1, 'must be at most 1');

export const roles = ['master', 'replica', 'any'] as const;

const probeSettings = {
  interval: duration.optional(),
  timeout: duration.optional(),
  breaker: breakerSchema.optional(),
  infoInterval: duration.optional(),
  role: z.enum(roles, { error: 'must be master, replica or any' }).optional(),
  maxMemoryRatio: ratio.optional(),
  maxReplicationLag: duration.optional(),
  maxClientsRatio: ratio.optional(),
  reportOnly: z.boolean().optional(),
};

export const writeSchema = z.strictObject({
  key: z.string().min(1, 'must not be empty').optional(),
  ttl: duration.optional(),
});

const filePath = z.string().min(1, 'must be a file path');

export const tlsSchema = z.strictObject({
  ca: filePath.optional(),
  cert: filePath.optional(),
  key: filePath.optional(),
  serverName: z.string().min(1).optional(),
  rejectUnauthorized: z.boolean().optional(),
});

const hostPort = z
  .string()
  .regex(/^(\[[^\]]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be HOST:PORT, such as redis-0:6379');

export const sentinelSchema = z.strictObject({
  masterName: z.string().min(1, 'must not be empty'),
  sentinels: z.array(hostPort).min(1, 'must list at least one sentinel'),
  username: z.string().min(1, 'must not be empty').optional(),
  password: z.string().optional(),
  tls: tlsSchema.optional(),
});

export const clusterSchema = z.strictObject({
  nodes: z.array(hostPort).min(1, 'must list at least one node'),
});

export const targetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'must match [A-Za-z0-9_.-]+ (it becomes the target label)')
    .max(64, 'must be at most 64 characters'),
  url: z.string().min(1, 'must not be empty').optional(),
  sentinel: sentinelSchema.optional(),
  cluster: clusterSchema.optional(),
  db: z.int().min(0, 'must be 0 or more').optional(),
  username: z.string().min(1, 'must not be empty').optional(),
  password: z.string().optional(),
  passwordFile: filePath.optional(),
  tls: tlsSchema.optional(),
  required: z.boolean().optional(),
  write: writeSchema.optional(),
  ...probeSettings,
});

const bcryptHash = z
  .string()
  .regex(
    /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/,
    'must be a bcrypt hash ($2y$10$…), e.g. from htpasswd -nbB',
  );

export const httpSchema = z.strictObject({
  tls: z.strictObject({ cert: filePath, key: filePath }).optional(),
  auth: z
    .strictObject({
      basic: z
        .strictObject({
          username: z.string().min(1, 'must not be empty'),
          passwordHash: bcryptHash,
        })
        .optional(),
      bearerToken: z.string().min(16, 'must be at least 16 characters').optional(),
      bearerTokenFile: filePath.optional(),
    })
    .optional(),
});

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = z.strictObject({
  listen: z.string().optional(),
  shutdownDelay: z
    .string({ error: 'must be a duration string such as 5s' })
    .meta(durationMeta)
    .refine((text) => parseDuration(text) !== undefined, {
      message: 'must be a duration such as 0s, 5s or 30s',
    })
    .optional(),
  log: z.strictObject({ level: z.enum(logLevels).optional() }).optional(),
  http: httpSchema.optional(),
  defaults: z.strictObject(probeSettings).optional(),
  targets: z.array(targetSchema).min(1, 'must list at least one target'),
});

export type ConfigInput = z.infer<typeof configSchema>;
export type TargetInput = z.infer<typeof targetSchema>;
export type LogLevel = (typeof logLevels)[number];
