import { AuthenticationError, hashApiKey } from '@imagegate/core';
import { findApiKeyByHash, type Pool } from '@imagegate/db';
import type { NextFunction, Request, Response } from 'express';

/** Who is calling, as established by the API key. */
export interface Caller {
  accountId: string;
  keyId: string;
}

interface CachedKey {
  caller: Caller | undefined;
  /** When the row was read: trusted for `cacheTtlMs` from then, read again in its last quarter. */
  readAt: number;
}

/**
 * Bearer-key authentication with a short cache. A revoked key stops working within `cacheTtlMs`
 * on every ingress replica (default 2 s), without a database round trip per request: a key in use
 * is read again in the background in the last quarter of its time, so its requests never wait for the
 * database, and the requests of a key not cached share one read.
 */
export function authenticate(pool: Pool, options: { cacheTtlMs?: number } = {}) {
  const cacheTtlMs = options.cacheTtlMs ?? 2_000;
  const cache = new Map<string, CachedKey>();
  const reading = new Map<string, Promise<Caller | undefined>>();

  // Keyed by the key as presented: a hit costs no hash (the key is in this process's memory with
  // every request anyway; only its hash is ever stored).
  function read(key: string): Promise<Caller | undefined> {
    const pending = reading.get(key);
    if (pending !== undefined) return pending;
    const readAt = Date.now();
    const caller = findApiKeyByHash(pool, hashApiKey(key))
      .then((row) => {
        const found = row && row.revoked_at === null ? { accountId: row.account_id, keyId: row.id } : undefined;
        if (cache.size > 10_000) cache.clear();
        cache.set(key, { caller: found, readAt });
        return found;
      })
      .finally(() => reading.delete(key));
    reading.set(key, caller);
    return caller;
  }

  async function lookup(key: string): Promise<Caller | undefined> {
    const cached = cache.get(key);
    const age = cached === undefined ? Number.POSITIVE_INFINITY : Date.now() - cached.readAt;
    if (cached === undefined || age >= cacheTtlMs) return read(key);
    // Still trusted; in its last quarter, read it again for the requests after this one.
    if (age >= (cacheTtlMs * 3) / 4) read(key).catch(() => undefined);
    return cached.caller;
  }

  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
    if (match === null || match[1] === undefined) {
      throw new AuthenticationError("You didn't provide an API key. Send it as 'Authorization: Bearer sk-ig-…'.", {
        code: 'missing_api_key',
      });
    }
    const caller = await lookup(match[1]);
    if (caller === undefined) throw new AuthenticationError('Incorrect API key provided, or the key was revoked.');
    response.locals.caller = caller;
    next();
  };
}

/** The caller established by `authenticate` (only on authenticated routes). */
export function callerOf(response: Response): Caller {
  const caller = response.locals.caller as Caller | undefined;
  if (caller === undefined) throw new AuthenticationError();
  return caller;
}
