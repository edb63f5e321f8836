/** One problem found in a configuration, located by key path and, where known, YAML line. */
export interface ConfigProblem {
  /** Key path such as `targets[1].url`; empty for the file as a whole. */
  path: string;
  line?: number | undefined;
  message: string;
}

/** A problem before it is located: the key path as a list, turned into text and a line later. */
export interface KeyedProblem {
  keys: readonly PropertyKey[];
  message: string;
}

/** A configuration that cannot be used. Thrown only at start-up or reload; never while probing. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
  ) {
    super(problems.map((problem) => formatProblem(problem, source)).join('\n'));
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** `config.yaml:12: targets[1].url: must start with redis://, rediss:// or unix://` */
function formatProblem(problem: ConfigProblem, source?: string): string {
  const where = [source, problem.line].filter((part) => part !== undefined).join(':');
  const location = [where, problem.path].filter((part) => part !== '').join(': ');
  return location === '' ? problem.message : `${location}: ${problem.message}`;
}

/** Renders a path of keys and indexes as `targets[1].tls.ca`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}
