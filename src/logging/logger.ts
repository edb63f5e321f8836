import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { loadLazily } from '../load-lazily';
import { redactUrls } from './redact';

const pinoPretty = loadLazily<typeof PinoPretty>('pino-pretty');

/** Keys whose values never reach a log line, wherever they appear. */
const REDACTED = [
  'password',
  '*.password',
  '*.*.password',
  'username',
  '*.username',
  'auth',
  '*.auth',
  'headers.authorization',
  '*.headers.authorization',
];

export interface LoggerOptions {
  /** `pretty`: pino-pretty's lines for people; otherwise JSON lines for machines. */
  format?: 'json' | 'pretty';
  /** Where lines go (stdout by default; tests use a sink). */
  destination?: DestinationStream;
  /** Colours in pretty lines (a terminal). */
  colorize?: boolean;
}

/**
 * Logs on stdout: JSON lines, or pino-pretty's readable lines. Credentials are redacted by
 * key, and any URL with `user:password@` in a message has it masked, in either format.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { format = 'json', destination, colorize = false } = options;
  const output =
    format === 'pretty'
      ? pinoPretty()({
          sync: true,
          colorize,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,name',
          ...(destination !== undefined && { destination }),
        })
      : destination;
  return pino(
    {
      level,
      base: { name: 'redis-health-sidecar' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: '***' },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? redactUrls(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          return { ...serialized, message: redactUrls(serialized.message), stack: undefined };
        },
      },
    },
    output,
  );
}
