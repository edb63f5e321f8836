import { defaultOptions } from './defaults';
import { parseDuration } from './duration';
import type { KeyedProblem } from './errors';
import { parseListen } from './listen';
import { parseRedisUrl } from './redis-url';
import { resolveAccess } from './resolve-access';
import type { ConfigInput, LogLevel, TargetInput } from './schema';
import type { BreakerOptions, Config, Target } from './types';

/** Applies defaults and parses URLs of a schema-valid input; collects problems rather than throwing. */
export function resolveConfig(input: ConfigInput, problems: KeyedProblem[]): Config {
  const listen = parseListen(input.listen ?? defaultOptions.listen);
  if (typeof listen === 'string') problems.push({ keys: ['listen'], message: listen });
  const seen = new Map<string, number>();
  const targets = input.targets.flatMap((target, index) => {
    const earlier = seen.get(target.name);
    if (earlier !== undefined) {
      problems.push({
        keys: ['targets', index, 'name'],
        message: `"${target.name}" is already the name of targets[${earlier}]`,
      });
    }
    seen.set(target.name, index);
    return resolveTarget(target, input.defaults ?? {}, index, problems) ?? [];
  });
  return {
    listen: typeof listen === 'string' ? { host: '0.0.0.0', port: 0 } : listen,
    shutdownDelayMs: ms(input.shutdownDelay) ?? defaultOptions.shutdownDelayMs,
    logLevel: input.log?.level ?? (defaultOptions.logLevel as LogLevel),
    targets,
  };
}

function resolveTarget(
  input: TargetInput,
  defaults: NonNullable<ConfigInput['defaults']>,
  index: number,
  problems: KeyedProblem[],
): Target | undefined {
  const at = (key: string) => ({ keys: ['targets', index, key] });
  const parsed = parseRedisUrl(input.url);
  if (typeof parsed === 'string') {
    problems.push({ ...at('url'), message: parsed });
    return undefined;
  }
  const intervalMs = ms(input.interval ?? defaults.interval) ?? defaultOptions.intervalMs;
  const timeoutMs = ms(input.timeout ?? defaults.timeout) ?? defaultOptions.timeoutMs;
  if (timeoutMs > intervalMs) {
    problems.push({
      ...at(input.timeout === undefined ? 'interval' : 'timeout'),
      message: `timeout (${timeoutMs}ms) must not be longer than interval (${intervalMs}ms)`,
    });
  }
  return {
    name: input.name,
    mode: 'standalone',
    endpoint: parsed.endpoint,
    address: parsed.address,
    db: parsed.db,
    ...resolveAccess(input, parsed, ['targets', index], problems),
    required: input.required ?? true,
    intervalMs,
    timeoutMs,
    breaker: resolveBreaker(input.breaker ?? {}, defaults.breaker ?? {}),
  };
}

function resolveBreaker(
  own: NonNullable<TargetInput['breaker']>,
  inherited: NonNullable<TargetInput['breaker']>,
): BreakerOptions {
  const fallback = defaultOptions.breaker;
  return {
    failureThreshold:
      own.failureThreshold ?? inherited.failureThreshold ?? fallback.failureThreshold,
    recoveryTimeoutMs:
      ms(own.recoveryTimeout ?? inherited.recoveryTimeout) ?? fallback.recoveryTimeoutMs,
    successThreshold:
      own.successThreshold ?? inherited.successThreshold ?? fallback.successThreshold,
  };
}

function ms(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}
