import { InvalidRequestError } from '@imagegate/core';
import express, { type RequestHandler } from 'express';
import { findInvalidUtf8 } from './invalid-utf8.ts';
import { storableJson } from './storable-json.ts';

/**
 * Reads and parses a JSON body (up to `maxBodyBytes`), refusing with a 400 naming the field bytes
 * that are not UTF-8 (the parser would silently turn them into U+FFFD and run the job) and text
 * Postgres cannot store. Mounted after authentication: nobody without a key makes us read a body.
 */
export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  return [
    express.json({
      limit: maxBodyBytes,
      type: ['application/json', 'application/*+json'],
      verify: (_request, _response, body, encoding) => {
        if (!/^utf-?8$/i.test(encoding)) return;
        const invalid = findInvalidUtf8(body);
        if (invalid === undefined) return;
        throw new InvalidRequestError(
          `Invalid value for '${invalid.param ?? 'body'}': the body must be UTF-8, and these bytes are not.`,
          { param: invalid.param, code: 'invalid_value' },
        );
      },
    }),
    storableJson,
  ];
}
