import { z } from 'zod';
import { parseDuration } from './duration';
import { parseHostPort } from './host-port';
import { defaultListen, parseListen } from './listen';
import {
  durationMeta,
  duration,
  durationOrOff,
  positiveInt,
  breakerSchema,
  breakerDefaultsSchema,
  ratio,
  role,
  labels,
  filePath,
  hostPort,
  bcryptHash,
} from './schema-values';

// The shape of the configuration file, as written by users. This one schema validates files,
// documents the keys and generates the JSON Schema for editors (`schema`).

/** What a target may set for itself; what it leaves out comes from `defaults`. */
const probeSettings = {
  interval: duration.optional(),
  timeout: duration.optional(),
  breaker: breakerSchema.optional(),
  infoInterval: duration.optional(),
  connectCheck: durationOrOff.optional(),
  role: role.optional(),
  maxMemoryRatio: ratio.optional(),
  maxReplicationLag: duration.optional(),
  maxClientsRatio: ratio.optional(),
  reportOnly: z.boolean().optional(),
  labels: labels.optional(),
};

/** `defaults`: the same keys, each with its built-in default, so every target inherits a value. */
const defaultsSchema = z.strictObject({
  interval: duration.prefault('5s'),
  timeout: duration.prefault('1s'),
  breaker: breakerDefaultsSchema.prefault({}),
  infoInterval: duration.prefault('30s'),
  connectCheck: durationOrOff.prefault('1m'),
  role: role.prefault('any'),
  maxMemoryRatio: ratio.optional(),
  maxReplicationLag: duration.optional(),
  maxClientsRatio: ratio.optional(),
  reportOnly: z.boolean().prefault(false),
  labels: labels.optional(),
});

const writeSchema = z.strictObject({
  key: z.string().min(1, 'must not be empty').prefault('redis-health-sidecar:canary'),
  ttl: duration.prefault('10s'),
});

const pubsubSchema = z.strictObject({
  channel: z.string().min(1, 'must not be empty').prefault('redis-health-sidecar:pubsub'),
});

const tlsSchema = z.strictObject({
  ca: filePath.optional(),
  cert: filePath.optional(),
  key: filePath.optional(),
  serverName: z.string().min(1).optional(),
  rejectUnauthorized: z.boolean().prefault(true),
});

const sentinelSchema = z.strictObject({
  masterName: z.string().min(1, 'must not be empty'),
  sentinels: z.array(hostPort.transform(parseHostPort)).min(1, 'must list at least one sentinel'),
  username: z.string().min(1, 'must not be empty').optional(),
  password: z.string().optional(),
  tls: tlsSchema.optional(),
  /** Opt-in: the target is ready only while this many sentinels answer and have a quorum. */
  minSentinels: positiveInt.optional(),
});

const clusterSchema = z.strictObject({
  nodes: z.array(hostPort).min(1, 'must list at least one node'),
});

const targetSchema = z.strictObject({
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
  pubsub: pubsubSchema.optional(),
  ...probeSettings,
});

const httpSchema = z.strictObject({
  /** /probe requests probing at once; more wait for a slot within their scrape budget. */
  probeConcurrency: positiveInt.prefault(8),
  /** Answers of each of /metrics, /status, /targets and / being sent at once; more wait, then 503. */
  heavyConcurrency: positiveInt.prefault(8),
  /** An answer its client takes nothing of for this long is dropped with the connection. */
  sendTimeout: duration.prefault('10s'),
  /** `/watch`: the heartbeat comment's period and how many streams may be open at once. */
  watch: z
    .strictObject({
      heartbeat: duration.prefault('15s'),
      maxStreams: positiveInt.prefault(100),
    })
    .prefault({}),
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
/** JSON lines for machines, pino-pretty for people, or pretty only when stdout is a terminal. */
export const logFormats = ['json', 'pretty', 'auto'] as const;

export const configSchema = z.strictObject({
  listen: z
    .string()
    .transform((text, context) => {
      const listen = parseListen(text);
      if (typeof listen !== 'string') return listen;
      context.addIssue({ code: 'custom', message: listen });
      return z.NEVER;
    })
    .prefault(defaultListen),
  shutdownDelay: z
    .string({ error: 'must be a duration string such as 5s' })
    .meta(durationMeta)
    .refine((text) => parseDuration(text) !== undefined, {
      message: 'must be a duration such as 0s, 5s or 30s',
    })
    .transform((text) => parseDuration(text) ?? 0)
    .prefault('5s'),
  log: z
    .strictObject({
      level: z.enum(logLevels).prefault('info'),
      format: z.enum(logFormats).prefault('auto'),
    })
    .prefault({}),
  http: httpSchema.prefault({}),
  sharding: z
    .strictObject({
      /** This process's shard, 0-based; without it, POD_NAME's ordinal. */
      shard: z.int({ error: 'must be a whole number' }).min(0, 'must be 0 or more').optional(),
      totalShards: positiveInt.prefault(1),
    })
    .optional(),
  defaults: defaultsSchema.prefault({}),
  /** Globs (relative to this file's folder) of YAML files that each list more targets. */
  targetFiles: z.array(z.string().min(1, 'must not be empty')).optional(),
  targets: z.array(targetSchema).prefault([]),
});

/** A target file: a YAML list of targets in the same schema as `targets`. */
export const targetListSchema = z.array(targetSchema, { error: 'must be a YAML list of targets' });

/** A config file as the schema checked it: durations in milliseconds, built-in defaults in place. */
export type CheckedConfig = z.output<typeof configSchema>;
export type CheckedTarget = z.output<typeof targetSchema>;
export type CheckedDefaults = CheckedConfig['defaults'];
export type TlsSettings = z.output<typeof tlsSchema>;
export type HttpSettings = z.output<typeof httpSchema>;
export type ClusterSettings = z.output<typeof clusterSchema>;
export type SentinelSettings = z.output<typeof sentinelSchema>;
export type LogLevel = (typeof logLevels)[number];
export type LogFormat = (typeof logFormats)[number];
