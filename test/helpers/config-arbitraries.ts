import fc from 'fast-check';
import { stringify } from 'yaml';

// Config-shaped values for property tests: the real keys, with values that are sometimes
// right and often wrong (any JSON value, durations, URLs, ${VARS}), plus unknown keys.
const durationish = fc.oneof(
  fc.constantFrom('1s', '250ms', '0s', '-1s', '5m', '1h', '10', '1.5s', 'soon', '${INTERVAL}'),
  fc.string({ maxLength: 8 }),
);
const urlish = fc.oneof(
  fc.constantFrom(
    'redis://127.0.0.1:6379/0',
    'rediss://cache:6380/1',
    'unix:///tmp/redis.sock?db=2',
    'redis://user:pw@host:6379/0',
    'redis://[::1]:6379/0',
    'redis://host:99999/0',
    'http://host/',
    '${REDIS_URL}',
    '${MISSING:-redis://h:1/0}',
  ),
  fc.webUrl(),
  fc.string({ maxLength: 30 }),
);
const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), durationish, urlish);

function withKeys(keys: Record<string, fc.Arbitrary<unknown>>) {
  return fc
    .tuple(
      fc.record(keys, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 10 }), anything, { maxKeys: 2 }),
      fc.boolean(),
    )
    .map(([known, unknown, addUnknown]) => (addUnknown ? { ...unknown, ...known } : known));
}

const probeSettings = {
  interval: durationish,
  timeout: durationish,
  infoInterval: durationish,
  breaker: fc.oneof(
    withKeys({
      failureThreshold: fc.oneof(fc.integer({ min: -2, max: 10 }), anything),
      recoveryTimeout: durationish,
      successThreshold: fc.oneof(fc.integer({ min: -2, max: 10 }), anything),
    }),
    anything,
  ),
  role: fc.oneof(fc.constantFrom('master', 'replica', 'any', 'primary'), anything),
  maxMemoryRatio: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), anything),
  maxReplicationLag: durationish,
  maxClientsRatio: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), anything),
  reportOnly: anything,
};

const target = withKeys({
  name: fc.oneof(fc.constantFrom('main', 'cache', 'bad name', ''), fc.string({ maxLength: 12 })),
  url: urlish,
  db: fc.oneof(fc.integer({ min: -1, max: 20 }), anything),
  username: anything,
  password: anything,
  passwordFile: fc.oneof(fc.constantFrom('/nonexistent', '/etc/hostname'), anything),
  required: anything,
  tls: fc.oneof(
    withKeys({ ca: anything, cert: anything, key: anything, serverName: anything }),
    anything,
  ),
  sentinel: fc.oneof(
    withKeys({
      masterName: anything,
      sentinels: fc.array(urlish, { maxLength: 3 }),
      password: anything,
    }),
    anything,
  ),
  cluster: fc.oneof(
    withKeys({ nodes: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }) }),
    anything,
  ),
  write: fc.oneof(withKeys({ key: anything, ttl: durationish }), anything),
  ...probeSettings,
});

/** A valid config with, half of the time, one setting replaced by anything at all. */
const nearlyValid = fc
  .tuple(
    fc.constantFrom('1s', '2s', '500ms'),
    fc.constantFrom('100ms', '250ms'),
    fc.constantFrom('redis://127.0.0.1:6379/0', 'unix:///tmp/r.sock?db=1', 'rediss://h:6380/2'),
    fc.option(
      fc.tuple(fc.constantFrom('interval', 'timeout', 'url', 'name', 'db', 'role'), anything),
    ),
  )
  .map(([interval, timeout, url, change]) => {
    const target: Record<string, unknown> = { name: 'main', url, interval, timeout };
    if (change !== null) target[change[0]] = change[1];
    return stringify({ targets: [target] });
  });

/** A config document as YAML text: mostly config-shaped, sometimes plain garbage. */
export const configText: fc.Arbitrary<string> = fc.oneof(
  nearlyValid,
  withKeys({
    listen: fc.oneof(fc.constantFrom('0.0.0.0:19121', '127.0.0.1:0', ':80', 'host'), anything),
    shutdownDelay: durationish,
    log: fc.oneof(withKeys({ level: anything }), anything),
    defaults: fc.oneof(withKeys(probeSettings), anything),
    targets: fc.oneof(fc.array(target, { maxLength: 3 }), anything),
    http: anything,
  }).map((doc) => stringify(doc)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '',
    '---',
    'targets: [',
    '{ a: 1, a: 2 }',
    '- 1\n- 2',
    '\t\t',
    'targets: !!binary x',
  ),
);
