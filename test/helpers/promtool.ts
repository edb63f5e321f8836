import { spawnSync } from 'node:child_process';

/** Runs `promtool check metrics` on exposition text; returns its complaints, one per line. */
export function promtoolCheckMetrics(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error !== undefined) {
    throw new Error(
      'promtool is not on PATH: install it with `apt-get install -y prometheus` (Debian)',
    );
  }
  return `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
}
