/** A log call: fields and a message, as pino takes them. */
export type LogLine = (fields: Record<string, unknown>, message: string) => void;

const WINDOW_MS = 60_000;

/**
 * Passes at most `perMinute` lines a minute on to `log`; the rest are counted, and the count is
 * logged when the next minute's first line arrives. For lines a client can cause at will.
 */
export function rateLimited(
  log: LogLine,
  perMinute: number,
  now: () => number = Date.now,
): LogLine {
  let windowStart = now();
  let passed = 0;
  let dropped = 0;
  return (fields, message) => {
    const at = now();
    if (at - windowStart >= WINDOW_MS) {
      if (dropped > 0) log({ dropped }, `${dropped} more lines like this were not logged`);
      windowStart = at;
      passed = 0;
      dropped = 0;
    }
    if (passed < perMinute) {
      passed += 1;
      log(fields, message);
    } else dropped += 1;
  };
}
