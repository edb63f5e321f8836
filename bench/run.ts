// npm run bench [-- --quick]: measures the sidecar beside prometheus-redis-exporter on this
// machine and writes BENCHMARKS.md and BENCHMARKS.json. --quick takes about a minute.
// `-- --only scale,accuracy` runs just those steps and prints their numbers, writing no files.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { version } from '../package.json';
import { exporterInstalled, exporterPath, stopAll } from './processes';
import { accuracy, costOnRedis, detection, scale, scrapeLatency, type Mode } from './scenarios';
import { renderReport } from './report';
import { starved } from './starved';
import { checkCost } from './check-cost';
import { memoryLimit } from './memory-limit';
import { failfast } from './failfast';
import { watchCost } from './watch-cost';
import { idle } from './idle';
import { probeCost } from './probe-cost';

async function main() {
  const mode: Mode = { quick: process.argv.includes('--quick') };
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt === -1 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',');
  const root = join(__dirname, '..', '..');
  const firstLine = (command: string, args: string[]) =>
    (spawnSync(command, args, { encoding: 'utf8' }).stdout ?? '').split('\n')[0]?.trim() ?? '';
  const exporterVersion = () => {
    const run = spawnSync(exporterPath, ['--version'], { encoding: 'utf8' });
    return /Exporter v?(\S+)/.exec(`${run.stdout}${run.stderr}`)?.[1] ?? 'installed';
  };
  const exporter = exporterInstalled() ? exporterVersion() : undefined;
  if (exporter === undefined) {
    console.log(
      `prometheus-redis-exporter is not installed (${exporterPath}): measuring the sidecar alone. ` +
        'Install it with `apt-get install -y prometheus-redis-exporter` to compare.',
    );
  }
  const context = {
    date: new Date().toISOString(),
    mode: mode.quick ? 'quick' : 'full',
    command: `npm run bench${mode.quick ? ' -- --quick' : ''}`,
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    sidecar: version,
    redis: /v=(\S+)/.exec(firstLine('redis-server', ['--version']))?.[1] ?? 'unknown',
    exporter: exporter ?? 'not installed',
  };
  const results: Record<string, unknown> = { context };
  const steps = {
    scrapeLatency,
    detection,
    costOnRedis,
    accuracy,
    scale,
    starved,
    checkCost,
    memoryLimit,
    failfast,
    watchCost,
    idle,
    probeCost,
  };
  const chosen = Object.entries(steps).filter(
    ([name]) => only === undefined || only.includes(name),
  );
  if (chosen.length === 0) throw new Error(`--only takes some of: ${Object.keys(steps).join(',')}`);
  try {
    for (const [name, step] of chosen) {
      const started = Date.now();
      console.log(`bench: ${name} ...`);
      results[name] = await step(mode);
      console.log(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await stopAll();
    }
  } finally {
    await stopAll();
  }
  if (chosen.length < Object.keys(steps).length) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  writeFileSync(join(root, 'BENCHMARKS.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(root, 'BENCHMARKS.md'), renderReport(results as never));
  console.log('bench: wrote BENCHMARKS.md and BENCHMARKS.json');
}

// Exit explicitly: keep-alive HTTP sockets to stopped processes must not hold the run open.
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  },
);
