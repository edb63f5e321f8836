import { formatHostPort } from './host-port';
import type { Endpoint } from './types';

export interface ParsedRedisUrl {
  endpoint: Endpoint;
  address: string;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
}

/** Parses `redis://`, `rediss://` (and `valkey://`, `valkeys://`) and `unix:///path?db=N`; returns an error message when it cannot. */
export function parseRedisUrl(text: string): ParsedRedisUrl | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as redis://host:6379/0 or unix:///path/to/redis.sock';
  }
  if (url.protocol === 'unix:') return parseUnixUrl(url);
  // Valkey speaks the same protocol; its URLs are the same with another name.
  const scheme = url.protocol.replace(/^valkey/, 'redis');
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    return `scheme ${url.protocol}// is not supported; use redis://, rediss://, valkey://, valkeys:// or unix://`;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return 'must name a host, as in redis://host:6379/0';
  if (url.search !== '') return 'query parameters are not supported in redis:// URLs';
  const db = parseDb(url.pathname.replace(/^\//, ''));
  if (typeof db === 'string') return db;
  const port = url.port === '' ? 6379 : Number(url.port);
  const access = credentials(url);
  if (typeof access === 'string') return access;
  return {
    endpoint: { host, port },
    address: formatHostPort(host, port),
    db,
    tls: scheme === 'rediss:',
    ...access,
  };
}

function parseUnixUrl(url: URL): ParsedRedisUrl | string {
  const path = decoded(url.pathname);
  if (path === undefined) return malformed('socket path');
  if (url.hostname !== '' || path === '' || path === '/') {
    return 'must name a socket path, as in unix:///var/run/redis/redis.sock?db=0';
  }
  for (const key of url.searchParams.keys()) {
    if (key !== 'db') return `query parameter ${key} is not supported; only db is`;
  }
  const db = parseDb(url.searchParams.get('db') ?? '');
  if (typeof db === 'string') return db;
  const access = credentials(url);
  if (typeof access === 'string') return access;
  return { endpoint: { path }, address: path, db, tls: false, ...access };
}

function parseDb(text: string): number | string {
  if (text === '') return 0;
  if (!/^\d+$/.test(text)) return `database "${text.slice(0, 20)}" must be a number`;
  return Number(text);
}

/** The user and password of a URL, %-decoded; a message (never the secret) when they cannot be. */
function credentials(url: URL): { username?: string; password?: string } | string {
  const username = decoded(url.username);
  const password = decoded(url.password);
  if (username === undefined) return malformed('user name');
  if (password === undefined) return malformed('password');
  return {
    ...(username !== '' && { username }),
    ...(password !== '' && { password }),
  };
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function malformed(what: string): string {
  return `the ${what} has a malformed %-escape (write a literal % as %25)`;
}
