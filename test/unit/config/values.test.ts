import { ConfigError } from '../../../src/config/errors';
import { parseDuration } from '../../../src/config/duration';
import { loadConfig } from '../../../src/config';
import { parseListen } from '../../../src/config/listen';

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    [' 2s ', 2000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['5', 's', '5 s', '-1s', '1d', '5sec', ''])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseListen', () => {
  test.each([
    ['0.0.0.0:19121', { host: '0.0.0.0', port: 19121 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('%s', (text, listen) => expect(parseListen(text)).toEqual(listen));

  test.each(['19121', 'host:', 'host:port', '::1:9000', 'h:70000'])('%s is refused', (text) => {
    expect(typeof parseListen(text)).toBe('string');
  });
});

describe('loadConfig without a file', () => {
  test('probes 127.0.0.1:6379 db 0 as target "default"', () => {
    const config = loadConfig({}, {});
    expect(config.targets).toEqual([
      expect.objectContaining({
        name: 'default',
        address: '127.0.0.1:6379',
        db: 0,
        required: true,
      }),
    ]);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 19121 });
  });

  test('takes REDIS_URL, keeping its password out of the address', () => {
    const config = loadConfig({}, { REDIS_URL: 'redis://:s3cret@cache:6380/4' });
    expect(config.targets[0]).toMatchObject({ address: 'cache:6380', db: 4, password: 's3cret' });
  });

  test('LOG_LEVEL, LOG_FORMAT and --listen override', () => {
    expect(loadConfig({}, {}).logFormat).toBe('auto');
    const config = loadConfig(
      { listen: '127.0.0.1:1234' },
      { LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'pretty' },
    );
    expect(config.logLevel).toBe('debug');
    expect(config.logFormat).toBe('pretty');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 1234 });
  });

  test.each([
    [{}, { REDIS_URL: 'mysql://x' }, 'REDIS_URL: scheme mysql:// is not supported'],
    [{}, { LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of'],
    [{}, { LOG_FORMAT: 'xml' }, 'LOG_FORMAT: must be one of json, pretty, auto'],
    [{ listen: 'nope' }, {}, '--listen: must be HOST:PORT'],
    [
      { file: '/nonexistent/config.yaml' },
      {},
      '/nonexistent/config.yaml: cannot read config file (ENOENT)',
    ],
  ])('refuses %j %j', (options, env, message) => {
    expect(() => loadConfig(options, env)).toThrow(ConfigError);
    expect(() => loadConfig(options, env)).toThrow(message);
  });
});

describe('Valkey URLs', () => {
  test.each([
    ['valkey://cache:6380/2', { address: 'cache:6380', db: 2 }, undefined],
    ['valkeys://app:s3cret@cache/1', { address: 'cache:6379', db: 1, username: 'app' }, true],
  ])('%s is read like its redis:// twin', (url, expected, tls) => {
    const [target] = loadConfig({}, { REDIS_URL: url }).targets;
    expect(target).toMatchObject(expected);
    expect(target?.tls?.rejectUnauthorized).toBe(tls);
  });
});
