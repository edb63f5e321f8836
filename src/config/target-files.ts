import { dirname, join } from 'node:path';
import { readConfigText } from './read-config-text';
import { expandEnv, type Env } from './env';
import { ConfigError, type KeyedProblem } from './errors';
import { describeIssue, readYaml } from './read-yaml';
import { targetFilesFrom } from './file-paths';
import { matchFiles } from './watched-files';
import { resolveTarget } from './resolve';
import { targetListSchema, type CheckedConfig } from './schema';
import type { Config, Target, TargetFiles } from './types';

/**
 * Reads the files `targetFiles` matches (globs relative to `dir`, in name order): each a YAML
 * list of targets in the `targets` schema, inheriting `defaults`. Every problem names its file
 * and line. At start-up any broken file is a ConfigError; at a reload (`previous` given) a file
 * that breaks keeps the targets it had and is listed in `broken`, so one team's typo does not
 * drop everyone's targets.
 */
export function readTargetFiles(
  input: CheckedConfig,
  env: Env,
  dir: string,
  previous: Config | undefined,
): TargetFiles | undefined {
  if (input.targetFiles === undefined) return undefined;
  const files = matchFiles(input.targetFiles, dir);
  const byFile: Record<string, Target[]> = {};
  const broken: string[] = [];
  const fatal: string[] = [];
  for (const file of files) {
    try {
      byFile[file] = readTargetFile(file, dir, input, env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const kept = previous?.targetFiles?.byFile[file];
      if (kept === undefined) fatal.push(error.message);
      else {
        byFile[file] = kept;
        broken.push(error.message);
      }
    }
  }
  if (fatal.length > 0) {
    throw new ConfigError(
      fatal
        .join('\n')
        .split('\n')
        .map((message) => ({ path: '', message })),
    );
  }
  return { patterns: input.targetFiles, dir, byFile, broken };
}

function readTargetFile(file: string, dir: string, input: CheckedConfig, env: Env): Target[] {
  const text = readConfigText(join(dir, file), 'target file', file);
  const { data, locate } = readYaml(text, file);
  const problems: KeyedProblem[] = [];
  const parsed = targetListSchema.safeParse(expandEnv(data ?? [], env, problems), {
    reportInput: true,
  });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(describeIssue));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems.map(locate), file);
  const folder = dirname(join(dir, file));
  const targets = parsed.data.flatMap(
    (target, index) =>
      resolveTarget(targetFilesFrom(target, folder), input.defaults, [index], problems) ?? [],
  );
  if (problems.length > 0) throw new ConfigError(problems.map(locate), file);
  return targets;
}
