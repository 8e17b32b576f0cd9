import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, NotFoundError } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';

/**
 * Exactly `Bearer <token>`: the scheme in any case (RFC 7235), one space, a token without
 * whitespace. A bare token, a tab, two spaces or another scheme is no admin header.
 */
const BEARER = /^bearer ([^\s]+)$/i;

/** A fixed-length digest, so comparing it takes the same time whatever the length of what was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other header. */
export function adminBearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** Guards the admin API with `ADMIN_TOKEN`; without a token configured the admin API does not exist. */
export function adminAuth(adminToken: string | undefined) {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (expected === undefined) throw new NotFoundError('The admin API is disabled (ADMIN_TOKEN is not set).');
    const given = adminBearerToken(request.headers.authorization);
    // Compared even without a token, so a malformed header costs what a wrong token costs.
    const matches = timingSafeEqual(digest(given ?? ''), expected);
    if (given === undefined || !matches) {
      throw new AuthenticationError('Invalid admin token.', { code: 'invalid_admin_token' });
    }
    next();
  };
}
