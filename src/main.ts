#!/usr/bin/env node
import { allRequiredUp, checkTargets } from './cli/check';
import { formatJson, formatTable } from './cli/check-output';
import { parseCli, usage, type CliOptions } from './cli/args';
import { isConfigError } from './config/errors';
import type * as JsonSchema from './config/json-schema';
import { loadAndForget } from './config/load-and-forget';
import { createReloader } from './config/reloader';
import type { LoadOptions } from './config/source';
import { shardTargets, type Config } from './config/types';
import { loadLazily } from './load-lazily';
import { createLogger } from './logging/logger';
import { createSidecar } from './sidecar';
import { version } from './version';

/** Only `schema` needs it, and with it zod: not loaded otherwise. */
const jsonSchema = loadLazily<typeof JsonSchema>('./config/json-schema');

/** How many targets the start-up line lists. */
const STARTUP_TARGETS_LOGGED = 50;

/** Exit codes: 0 success, 1 a check failed or the sidecar could not start, 2 bad usage or config. */
async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (options.command === 'schema') {
    const { configJsonSchema } = jsonSchema();
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadAndForget(source(options), process.env);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    process.stderr.write(`invalid configuration:\n${error.message}\n`);
    return 2;
  }
  switch (options.command) {
    case 'validate':
      process.stdout.write(`configuration is valid: ${describeTargets(config)}\n`);
      return 0;
    case 'check': {
      const rows = await checkTargets(config);
      const format = options.output === 'json' ? formatJson : formatTable;
      process.stdout.write(`${format(rows)}\n`);
      return allRequiredUp(rows) ? 0 : 1;
    }
    case 'serve':
      return serve(config, options);
  }
}

async function serve(config: Config, options: CliOptions): Promise<number> {
  const tty = process.stdout.isTTY;
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && tty);
  const logger = createLogger(config.logLevel, {
    format: pretty ? 'pretty' : 'json',
    colorize: tty,
  });
  const sidecar = createSidecar(config, logger);
  const reloader = createReloader({
    source: source(options),
    env: process.env,
    apply: (next) => sidecar.reload(next),
    failed: () => sidecar.reloadFailed(),
    current: () => sidecar.config(),
    logger,
  });
  const probed = shardTargets(config);
  try {
    const server = await sidecar.start();
    logger.info(
      {
        listen: `${server.address.address}:${server.address.port}`,
        version,
        shard: config.sharding,
        targetCount: probed.length,
        // The first ones, never credentials: a list of thousands helps nobody in one line.
        targets: probed
          .slice(0, STARTUP_TARGETS_LOGGED)
          .map(({ name, address, db, mode, required }) => ({
            name,
            address,
            db,
            mode,
            required,
          })),
      },
      'redis-health-sidecar started',
    );
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start');
    await sidecar.stop();
    return 1;
  }
  const onHangup = () => void reloader.reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  reloader.watch();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  // Kubernetes keeps sending traffic for a moment after SIGTERM: fail readiness at once, keep
  // serving for shutdownDelay so endpoints update, then close. A second signal cuts the wait.
  process.off('SIGHUP', onHangup);
  reloader.close();
  sidecar.beginShutdown();
  const delayMs = sidecar.config().shutdownDelayMs;
  logger.info({ signal, delayMs }, 'shutting down: readiness now fails');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, delayMs);
    const hurry = () => {
      clearTimeout(timer);
      resolve();
    };
    process.once('SIGTERM', hurry);
    process.once('SIGINT', hurry);
  });
  await sidecar.stop();
  logger.info('stopped');
  return 0;
}

/** `3 target(s)`, or `40 target(s); shard 2 of 4 probes 9 of them`. */
function describeTargets(config: Config): string {
  const { shard, total } = config.sharding;
  const all = `${config.targets.length} target(s)`;
  if (total === 1) return all;
  return `${all}; shard ${shard} of ${total} probes ${shardTargets(config).length} of them`;
}

/** Where the config comes from, as the command line says. */
function source(options: CliOptions): LoadOptions {
  return {
    file: options.config,
    listen: options.listen,
    shard: options.shard,
    totalShards: options.totalShards,
  };
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Flush stdout, then exit even if a library left a handle open.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
