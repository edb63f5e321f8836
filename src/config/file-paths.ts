import { resolve } from 'node:path';
import type { CheckedConfig, CheckedTarget, HttpSettings, TlsSettings } from './schema';

/*
 * A relative file key (passwordFile, TLS files, bearerTokenFile) names a file beside the file
 * that holds the key, as targetFiles globs do: the same config then works from any working
 * directory, which a container's often is not the config's folder.
 */

/** The config with every file key made absolute from `dir`, the config file's folder. */
export function configFilesFrom(config: CheckedConfig, dir: string): CheckedConfig {
  return {
    ...config,
    http: httpFilesFrom(config.http, dir),
    targets: config.targets.map((target) => targetFilesFrom(target, dir)),
  };
}

/** The target with its file keys made absolute from `dir`, the folder of the file naming it. */
export function targetFilesFrom(target: CheckedTarget, dir: string): CheckedTarget {
  const { passwordFile, tls, sentinel } = target;
  return {
    ...target,
    ...(passwordFile !== undefined && { passwordFile: resolve(dir, passwordFile) }),
    ...(tls !== undefined && { tls: tlsFilesFrom(tls, dir) }),
    ...(sentinel?.tls !== undefined && {
      sentinel: { ...sentinel, tls: tlsFilesFrom(sentinel.tls, dir) },
    }),
  };
}

function tlsFilesFrom(tls: TlsSettings, dir: string): TlsSettings {
  return {
    ...tls,
    ...(tls.ca !== undefined && { ca: resolve(dir, tls.ca) }),
    ...(tls.cert !== undefined && { cert: resolve(dir, tls.cert) }),
    ...(tls.key !== undefined && { key: resolve(dir, tls.key) }),
  };
}

function httpFilesFrom(http: HttpSettings, dir: string): HttpSettings {
  const { tls, auth } = http;
  return {
    ...http,
    ...(tls !== undefined && { tls: { cert: resolve(dir, tls.cert), key: resolve(dir, tls.key) } }),
    ...(auth?.bearerTokenFile !== undefined && {
      auth: { ...auth, bearerTokenFile: resolve(dir, auth.bearerTokenFile) },
    }),
  };
}
