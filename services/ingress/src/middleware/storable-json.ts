import { InvalidRequestError } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';

/** Levels of nesting a JSON body may have; real bodies have 3 (`provider_options.openai.seed`). */
export const MAX_JSON_DEPTH = 32;

/** Segments of the path an error names: enough to find the field, short enough to read. */
const PARAM_SEGMENTS = 4;

export interface UnstorableValue {
  param: string | null;
  message: string;
}

/** Postgres `text` and `jsonb` refuse U+0000 and unpaired UTF-16 surrogates. */
const isStorableText = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed();

/** How an error names a place in the body: its first segments, dotted; null for the body itself. */
export const paramOf = (path: readonly string[]): string | null =>
  path.length === 0 ? null : path.slice(0, PARAM_SEGMENTS).join('.');

/**
 * The first string or key in a parsed JSON body that Postgres cannot store, or the first place it
 * nests deeper than `MAX_JSON_DEPTH`; undefined when the body is fine. Iterative, so a body of
 * 100,000 `[` cannot overflow the stack here.
 */
export function findUnstorableValue(body: unknown): UnstorableValue | undefined {
  const pending: Array<{ value: unknown; path: string[] }> = [{ value: body, path: [] }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      if (!isStorableText(value)) {
        return {
          param: paramOf(path),
          message: `Invalid value for '${paramOf(path) ?? 'body'}': text must not contain NUL characters or unpaired surrogates.`,
        };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      return {
        param: paramOf(path),
        message: `Invalid value for '${paramOf(path) ?? 'body'}': nested more than ${MAX_JSON_DEPTH} levels deep.`,
      };
    }
    for (const [key, inner] of Object.entries(value)) {
      const innerPath = [...path, key];
      if (!isStorableText(key)) {
        return {
          param: paramOf(path),
          message: `Invalid key in '${paramOf(path) ?? 'body'}': keys must not contain NUL characters or unpaired surrogates.`,
        };
      }
      pending.push({ value: inner, path: innerPath });
    }
  }
  return undefined;
}

/**
 * Refuses, with a 400 naming the field, JSON bodies that would otherwise fail deep inside the
 * ingress as a 500: text Postgres cannot store, and nesting that recursive code cannot walk.
 */
export function storableJson(request: Request, _response: Response, next: NextFunction): void {
  const problem = findUnstorableValue(request.body);
  if (problem !== undefined) throw new InvalidRequestError(problem.message, { param: problem.param });
  next();
}
