import { spawnSync } from 'node:child_process';

const MISSING = 'promtool is not on PATH: install it with `apt-get install -y prometheus` (Debian)';

/** Runs promtool with `args`; returns its exit status and everything it printed. */
export function promtool(args: string[], input?: string): { status: number; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(MISSING);
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}

/** Runs `promtool check metrics` on exposition text; returns its complaints, one per line. */
export function promtoolCheckMetrics(text: string): string[] {
  return promtool(['check', 'metrics'], text)
    .output.split('\n')
    .filter((line) => line.trim() !== '');
}
