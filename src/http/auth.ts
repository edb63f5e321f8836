import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Bcrypt from 'bcryptjs';
import type { Middleware } from 'koa';
import type { HttpSettings } from '../config/types';
import { loadLazily } from '../load-lazily';

/** Loaded when basic auth is configured, not by every sidecar. */
const bcrypt = loadLazily<typeof Bcrypt>('bcryptjs');

type AuthSettings = NonNullable<HttpSettings['auth']>;

/** A bcrypt check costs tens of milliseconds: remember basic credentials that passed, a while. */
const CACHE_MS = 60_000;
const CACHE_SIZE = 64;
/** How often a bearerTokenFile is read again (rotation without a restart). */
const TOKEN_FILE_TTL_MS = 1000;

/**
 * Guards the endpoints that are not for the kubelet (/metrics, /status, /probe, /): HTTP basic
 * auth with a bcrypt hash, or a bearer token, whichever is configured. Comparisons take the
 * same time whatever matches, and a 401 never says which part was wrong.
 */
export function createAuth(settings: AuthSettings): Middleware {
  const passed = new Map<string, number>();
  const token = bearerTokenSource(settings);
  const challenge = settings.basic !== undefined ? 'Basic realm="redis-health-sidecar"' : 'Bearer';

  const allowed = async (header: string): Promise<boolean> => {
    // Only bcrypt is worth caching; a token is checked afresh, so a rotated file takes effect.
    if (!/^basic /i.test(header)) return check(header);
    const key = digest(header).toString('base64');
    const until = passed.get(key);
    if (until !== undefined && until > Date.now()) return true;
    const ok = await check(header);
    if (ok) {
      if (passed.size >= CACHE_SIZE) passed.delete(passed.keys().next().value ?? '');
      passed.set(key, Date.now() + CACHE_MS);
    }
    return ok;
  };

  const check = async (header: string): Promise<boolean> => {
    const [scheme = '', credentials = ''] = header.split(' ', 2);
    if (scheme.toLowerCase() === 'bearer') {
      const expected = token();
      return expected !== undefined && sameSecret(credentials, expected);
    }
    const basic = settings.basic;
    if (scheme.toLowerCase() !== 'basic' || basic === undefined) return false;
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const split = decoded.indexOf(':');
    if (split < 0) return false;
    // Both checks always run, so timing does not tell a wrong user from a wrong password.
    const userOk = sameSecret(decoded.slice(0, split), basic.username);
    const passwordOk = await bcrypt().compare(decoded.slice(split + 1), basic.passwordHash);
    return userOk && passwordOk;
  };

  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (header !== '' && header.length < 4096 && (await allowed(header))) {
      await next();
      return;
    }
    ctx.status = 401;
    ctx.set('WWW-Authenticate', challenge);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'unauthorized\n';
  };
}

function bearerTokenSource(settings: AuthSettings): () => string | undefined {
  const file = settings.bearerTokenFile;
  if (file === undefined) return () => settings.bearerToken;
  let cached: { value: string | undefined; at: number } | undefined;
  return () => {
    if (cached === undefined || Date.now() - cached.at > TOKEN_FILE_TTL_MS) {
      let value: string | undefined;
      try {
        value = readFileSync(file, 'utf8').trim() || undefined;
      } catch {
        value = undefined; // an unreadable file lets nobody in
      }
      cached = { value, at: Date.now() };
    }
    return cached.value;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time equality of two secrets of any length (compares their digests). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
