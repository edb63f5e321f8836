// The shape of src/ as CONTRIBUTING.md describes it: small files, and dependencies that point
// one way (no import cycle, type imports included).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const src = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(src);
const texts = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));

/** The src/ files a file imports or re-exports from, by relative path. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  for (const [, spec] of (texts.get(file) ?? '').matchAll(
    /(?:import|export)\s[^;]*?from\s+'(\.[^']*)'/g,
  )) {
    const base = join(dirname(file), spec ?? '');
    const target = [`${base}.ts`, join(base, 'index.ts')].find((path) => texts.has(path));
    if (target !== undefined) found.push(target);
  }
  return found;
}

test('no file in src/ is longer than 200 lines', () => {
  const long = files
    .map((file) => [relative(src, file), (texts.get(file) ?? '').split('\n').length - 1] as const)
    .filter(([, lines]) => lines > 200);
  expect(long).toEqual([]);
});

test('no import cycle in src/, type imports included', () => {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        cycles.push(
          path
            .slice(path.indexOf(next))
            .map((item) => relative(src, item))
            .join(' → '),
        );
      } else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  expect(cycles).toEqual([]);
});
