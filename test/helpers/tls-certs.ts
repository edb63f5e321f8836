import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: trusting it must fail. */
  otherCa: string;
  remove(): void;
}

/** A server certificate chain: root (1 day) → intermediate (3 days) → leaf (10 days). */
export interface ChainCertificates {
  dir: string;
  /** The root, which clients trust. */
  ca: string;
  /** The leaf followed by the intermediate, as the server presents them. */
  serverChain: string;
  serverKey: string;
  remove(): void;
}

/** Runs openssl command lines in `dir`; no argument here contains a space. */
function opensslIn(dir: string): (command: string) => void {
  return (command) => {
    try {
      execFileSync('openssl', command.split(' '), { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('openssl is not on PATH: install it with `apt-get install -y openssl`', {
          cause: error,
        });
      }
      throw error;
    }
  };
}

/**
 * Certificates that expire on different days, so a test can tell which one the sidecar
 * reports: the intermediate expires first of those the server presents, the root sooner still.
 */
export function createChainCertificates(): ChainCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-chain-'));
  const openssl = opensslIn(dir);
  const key = (name: string) => `-newkey rsa:2048 -nodes -keyout ${name}.key`;
  const sign = (name: string, by: string, days: number, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(`req ${key(name)} -out ${name}.csr -subj /CN=${name}`);
    openssl(
      `x509 -req -in ${name}.csr -CA ${by}.crt -CAkey ${by}.key -CAcreateserial -out ${name}.crt -days ${days} -extfile ${name}.ext`,
    );
  };
  openssl(`req -x509 ${key('root')} -out root.crt -days 1 -subj /CN=root`);
  sign('intermediate', 'root', 3, 'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign\n');
  sign(
    'localhost',
    'intermediate',
    10,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  writeFileSync(join(dir, 'chain.crt'), read('localhost.crt') + read('intermediate.crt'));
  return {
    dir,
    ca: join(dir, 'root.crt'),
    serverChain: join(dir, 'chain.crt'),
    serverKey: join(dir, 'localhost.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A throwaway CA with a server certificate for localhost / 127.0.0.1 and a client certificate,
 * made with openssl (Debian's `openssl` package) for each test run.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = opensslIn(dir);
  const key = (name: string) => `-newkey rsa:2048 -nodes -keyout ${name}.key`;
  const ca = (name: string) =>
    openssl(`req -x509 ${key(name)} -out ${name}.crt -days 2 -subj /CN=${name}`);
  const signed = (name: string, subject: string, extensions: string) => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(`req ${key(name)} -out ${name}.csr -subj ${subject}`);
    openssl(
      `x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ${name}.crt -days 2 -extfile ${name}.ext`,
    );
  };
  ca('ca');
  ca('other-ca');
  signed(
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  signed('client', '/CN=redis-health-sidecar', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    otherCa: path('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
