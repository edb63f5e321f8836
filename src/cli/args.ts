import { parseArgs } from 'node:util';

const commands = ['serve', 'check', 'validate', 'schema'] as const;
export type Command = (typeof commands)[number];

export interface CliOptions {
  command: Command;
  config?: string;
  listen?: string;
  /** `--shard N --total-shards M`, as typed; checked with the config. */
  shard?: string;
  totalShards?: string;
  /** How `check` prints: a table for people (default) or JSON for scripts. */
  output: 'table' | 'json';
  help: boolean;
  version: boolean;
}

export const usage = `Usage: redis-health-sidecar [serve|check|validate] [options]

Commands:
  serve       probe targets in the background and serve HTTP (default)
  check       probe every target once, print a table; exit 0 when all required targets are up
  validate    check a config file; exit 0 when valid, 2 otherwise
  schema      print the JSON Schema of the config file (for editors)

Options:
  -c, --config PATH    YAML config file (or REDIS_HEALTH_CONFIG); without one, a target
                       named "default" probes REDIS_URL or redis://127.0.0.1:6379/0
  -l, --listen ADDR    HTTP listen address, HOST:PORT (default 0.0.0.0:19121)
      --shard N        probe only the targets whose name hashes to shard N (0-based; default
                       the ordinal at the end of POD_NAME, as in a StatefulSet)
      --total-shards M how many shards share the targets (Prometheus hashmod of the name)
  -o, --output FORMAT  how check prints: table (default) or json
  -h, --help           show this help
  -v, --version        show the version

Examples:
  REDIS_URL=redis://redis:6379/0 redis-health-sidecar
  redis-health-sidecar --config /etc/redis-health/config.yaml --listen 127.0.0.1:19121
  redis-health-sidecar validate --config config.yaml
  redis-health-sidecar check --config config.yaml
  redis-health-sidecar check --config config.yaml --output json
  redis-health-sidecar --config config.yaml --shard 1 --total-shards 4
  redis-health-sidecar schema > config.schema.json
`;

/** Parses the command line; throws an Error with a short message when it cannot. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string', short: 'l' },
      shard: { type: 'string' },
      'total-shards': { type: 'string' },
      output: { type: 'string', short: 'o', default: 'table' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  const [command = 'serve', ...extra] = positionals;
  if (!(commands as readonly string[]).includes(command)) {
    throw new Error(`unknown command "${command.slice(0, 40)}"`);
  }
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]?.slice(0, 40)}"`);
  const { output } = values;
  if (output !== 'table' && output !== 'json') {
    throw new Error(`--output must be table or json, not "${output.slice(0, 20)}"`);
  }
  return {
    command: command as Command,
    ...(values.config !== undefined && { config: values.config }),
    ...(values.listen !== undefined && { listen: values.listen }),
    ...(values.shard !== undefined && { shard: values.shard }),
    ...(values['total-shards'] !== undefined && { totalShards: values['total-shards'] }),
    output,
    help: values.help,
    version: values.version,
  };
}
