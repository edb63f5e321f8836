import { classifyError } from '../../../src/probe/classify';

function errno(code: string, message = `${code} happened`) {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  test.each([
    ['connection refused', errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6379'), 'refused'],
    ['missing unix socket', errno('ENOENT', 'connect ENOENT /tmp/redis.sock'), 'refused'],
    ['unknown host', errno('ENOTFOUND', 'getaddrinfo ENOTFOUND redis.invalid'), 'dns'],
    ['DNS server failure', errno('EAI_AGAIN'), 'dns'],
    ['connection reset', errno('ECONNRESET', 'read ECONNRESET'), 'closed'],
    ['broken pipe', errno('EPIPE'), 'closed'],
    ['connect timeout', errno('ETIMEDOUT', 'connect ETIMEDOUT'), 'timeout'],
    ['no password sent', new Error('NOAUTH Authentication required.'), 'auth'],
    [
      'wrong password',
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      'auth',
    ],
    ['old-style wrong password', new Error('ERR invalid password'), 'auth'],
    [
      'AUTH without a password set',
      new Error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      ),
      'auth',
    ],
    [
      'ACL forbids PING',
      new Error("NOPERM User probe has no permissions to run the 'ping' command"),
      'auth',
    ],
    ['loading', new Error('LOADING Redis is loading the dataset in memory'), 'loading'],
    [
      'master down',
      new Error('MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.'),
      'masterdown',
    ],
    [
      'read-only replica',
      new Error("READONLY You can't write against a read only replica."),
      'readonly',
    ],
    ['out of memory', new Error("OOM command not allowed when used memory > 'maxmemory'."), 'oom'],
    [
      'RDB failing',
      new Error(
        'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
      ),
      'misconf',
    ],
    [
      'a long script',
      new Error(
        'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      ),
      'busy',
    ],
    ['too few replicas', new Error('NOREPLICAS Not enough good replicas to write.'), 'noreplicas'],
    [
      'a peer that is not Redis',
      new Error('Unknown RESP type 72 "H". Please report this.'),
      'protocol',
    ],
    [
      'self-signed certificate',
      errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'tls',
    ],
    [
      'untrusted chain',
      errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      'tls',
    ],
    [
      'host name mismatch',
      errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      'tls',
    ],
    [
      'TLS alert',
      errno('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'),
      'tls',
    ],
    ['ioredis closed', new Error('Connection is closed.'), 'closed'],
    [
      'offline send',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      'closed',
    ],
    ['unknown Redis error', new Error('ERR unknown command'), 'error'],
    ['not an Error', 'something odd', 'error'],
  ])('%s → %s', (_name, error, reason) => {
    expect(classifyError(error)).toBe(reason);
  });
});
