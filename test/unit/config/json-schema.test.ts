import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { configJsonSchema } from '../../../src/config/json-schema';

const root = join(__dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures');
const validate = new Ajv({ strict: false }).compile(configJsonSchema());
const yamlIn = (folder: string) =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => [file, parse(readFileSync(join(folder, file), 'utf8')) as unknown] as const);

test('config.schema.json is the schema the validator generates (run `npm run schema`)', () => {
  const committed: unknown = JSON.parse(readFileSync(join(root, 'config.schema.json'), 'utf8'));
  expect(committed).toEqual(configJsonSchema());
});

test.each([...yamlIn(join(fixtures, 'valid')), ...yamlIn(join(root, 'deploy', 'examples'))])(
  'an editor accepts %s',
  (_, config) => {
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  },
);

test.each(['unknown-top-key', 'unknown-target-key', 'bad-log-level', 'bad-role', 'no-targets'])(
  'an editor flags %s too',
  (name) => {
    const config: unknown = parse(readFileSync(join(fixtures, 'invalid', `${name}.yaml`), 'utf8'));
    expect(validate(config)).toBe(false);
  },
);

test('the example config points editors at the schema', () => {
  const example = readFileSync(join(root, 'deploy', 'examples', 'config.yaml'), 'utf8');
  expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../../config.schema.json');
});
