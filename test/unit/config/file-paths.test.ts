import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadConfigFile } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-paths-'));
  mkdirSync(join(dir, 'tls'));
  mkdirSync(join(dir, 'teams'));
  for (const file of ['password', 'token', 'tls/ca.crt', 'tls/tls.crt', 'tls/tls.key']) {
    writeFileSync(join(dir, file), 'x');
  }
  writeFileSync(join(dir, 'teams', 'password'), 'x');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const load = (text: string) => {
  writeFileSync(join(dir, 'config.yaml'), text);
  return loadConfigFile(join(dir, 'config.yaml'), {});
};

test('relative file keys are read from the config file’s folder, whatever the working directory', () => {
  expect(process.cwd()).not.toBe(dir);
  const config = load(`
http:
  tls: { cert: tls/tls.crt, key: ./tls/tls.key }
  auth: { bearerTokenFile: token }
targets:
  - name: cache
    url: rediss://cache:6380/0
    passwordFile: password
    tls: { ca: tls/ca.crt, cert: tls/tls.crt, key: tls/tls.key }
  - name: sessions
    sentinel: { masterName: m, sentinels: ["s:26379"], tls: { ca: tls/ca.crt } }
`);
  expect(config.http.tls).toEqual({
    cert: join(dir, 'tls/tls.crt'),
    key: join(dir, 'tls/tls.key'),
  });
  expect(config.http.auth?.bearerTokenFile).toBe(join(dir, 'token'));
  expect(config.targets[0]).toMatchObject({
    passwordFile: join(dir, 'password'),
    tls: {
      ca: join(dir, 'tls/ca.crt'),
      cert: join(dir, 'tls/tls.crt'),
      key: join(dir, 'tls/tls.key'),
    },
  });
  expect(config.targets[1]?.sentinel?.tls?.ca).toBe(join(dir, 'tls/ca.crt'));
});

test('a target file’s relative file keys are read from that file’s folder; absolute paths stay', () => {
  writeFileSync(
    join(dir, 'teams', 'a.yaml'),
    `- { name: a, url: "redis://a:6379/0", passwordFile: password }\n` +
      `- { name: b, url: "redis://b:6379/0", passwordFile: ${join(dir, 'password')} }\n`,
  );
  const config = load('targetFiles: ["teams/*.yaml"]\n');
  expect(config.targets.map((target) => target.passwordFile)).toEqual([
    join(dir, 'teams', 'password'),
    join(dir, 'password'),
  ]);
});

test('a relative file that is missing is named by the path that was looked for', () => {
  const run = () =>
    load('targets:\n  - { name: a, url: "redis://a:6379/0", passwordFile: nope }\n');
  expect(run).toThrow(ConfigError);
  expect(run).toThrow(
    `config.yaml:2: targets[0].passwordFile: cannot read ${join(dir, 'nope')} (ENOENT)`,
  );
});
