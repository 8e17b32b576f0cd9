import { timingSafeEqual } from 'node:crypto';
import { AuthenticationError, NotFoundError } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';

/** Guards the admin API with `ADMIN_TOKEN`; without a token configured the admin API does not exist. */
export function adminAuth(adminToken: string | undefined) {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken);
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (expected === undefined) throw new NotFoundError('The admin API is disabled (ADMIN_TOKEN is not set).');
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.replace(/^Bearer\s+/i, ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AuthenticationError('Invalid admin token.', { code: 'invalid_admin_token' });
    }
    next();
  };
}
