import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadConfigFile } from '../../../src/config/load';

const fixtures = join(__dirname, '..', '..', 'fixtures');
const env = { REDIS_HEALTH_TEST_HOST: 'redis.example' };
const names = (folder: string) =>
  readdirSync(join(fixtures, folder))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.replace(/\.yaml$/, ''));

describe('valid configs', () => {
  test.each(names('valid'))('%s', (name) => {
    const expected: unknown = JSON.parse(
      readFileSync(join(fixtures, 'valid', `${name}.json`), 'utf8'),
    );
    expect(loadConfigFile(join(fixtures, 'valid', `${name}.yaml`), env)).toMatchObject(
      expected as object,
    );
  });
});

describe('invalid configs', () => {
  test.each(names('invalid'))('%s', (name) => {
    const expected = readFileSync(join(fixtures, 'invalid', `${name}.error`), 'utf8').trimEnd();
    const load = () => loadConfigFile(join(fixtures, 'invalid', `${name}.yaml`), env);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new Error(expected)); // compares the whole message, not a part of it
  });
});

describe('shipped examples', () => {
  const examples = join(__dirname, '..', '..', '..', 'deploy', 'examples');
  test.each(readdirSync(examples).filter((file) => file.endsWith('.yaml')))(
    '%s is valid',
    (file) => {
      const config = loadConfigFile(join(examples, file), {});
      expect(config.targets.length).toBeGreaterThan(0);
    },
  );
});
