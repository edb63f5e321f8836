import pino, { type DestinationStream, type Logger } from 'pino';
import { redactUrls } from './redact';

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

/**
 * JSON logs on stdout (or `destination`, which tests use as a sink). Credentials are redacted
 * by key, and any URL with `user:password@` in a message has it masked.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
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
    destination,
  );
}
