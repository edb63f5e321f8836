import { LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';
import { ConfigError, formatPath, type ConfigProblem, type KeyedProblem } from './errors';
import { lineOf } from './yaml-lines';

/** A YAML document as data, and how to find the line of a key path in it. */
export interface ReadYaml {
  data: unknown;
  locate: (problem: KeyedProblem) => ConfigProblem;
}

/** Parses YAML text, throwing ConfigError with lines for syntax errors and bad aliases. */
export function readYaml(text: string, source: string): ReadYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({
      path: '',
      line: lines.linePos(error.pos[0]).line,
      message: `invalid YAML: ${error.message.split('\n')[0] ?? ''}`,
    }));
    throw new ConfigError(problems, source);
  }
  const locate = (problem: KeyedProblem): ConfigProblem => ({
    path: formatPath(problem.keys),
    line: lineOf(doc, lines, problem.keys),
    message: problem.message,
  });
  try {
    // Aliases resolve here: an unknown anchor, or too many aliases (a "billion laughs" file).
    return { data: doc.toJS({ maxAliasCount: 100 }), locate };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `invalid YAML: ${reason.split('\n')[0] ?? ''}`;
    throw new ConfigError([{ path: '', message }], source);
  }
}

/** A schema issue as a problem at its key path, in words for people. */
export function describeIssue(issue: core.$ZodIssue): KeyedProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ keys: [...issue.path, key], message: 'unknown key' }));
  }
  if (issue.code === 'invalid_type') {
    const custom = !issue.message.startsWith('Invalid input');
    const message =
      issue.input === undefined
        ? 'is required'
        : custom
          ? issue.message
          : `must be ${article(issue.expected)}`;
    return [{ keys: issue.path, message }];
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a mapping (a label name): its own checks say why.
    return issue.issues.map((inner) => ({ keys: issue.path, message: inner.message }));
  }
  if (issue.code === 'invalid_value') {
    return [{ keys: issue.path, message: `must be one of ${issue.values.join(', ')}` }];
  }
  return [{ keys: issue.path, message: issue.message }];
}

function article(expected: string): string {
  const names: Record<string, string> = {
    array: 'a list',
    object: 'a mapping of keys',
    string: 'a string',
    boolean: 'true or false',
    number: 'a number',
    int: 'a whole number',
  };
  return names[expected] ?? expected;
}
