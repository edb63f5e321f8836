import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A throwaway CA with a server certificate for localhost / 127.0.0.1 and a client certificate,
 * made with openssl (Debian's `openssl` package) for each test run.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const path = (name: string) => join(dir, name);
  /** Runs one openssl command line; no argument here contains a space. */
  const openssl = (command: string) => {
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
