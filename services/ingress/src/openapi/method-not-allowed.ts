import { MethodNotAllowedError } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';
import type { MatchedPath } from './route-matcher.ts';

/** The methods a path answers, as `Allow` lists them (HEAD wherever GET is). */
export function allowedMethods(matched: MatchedPath): string[] {
  const methods = [...matched.methods].map((method) => method.toUpperCase());
  if (matched.methods.has('get')) methods.push('HEAD');
  return methods;
}

/**
 * A known path asked with a method it does not answer: 405 with `Allow`, before any key is checked
 * or body read (what a path answers is public, in the OpenAPI document). OPTIONS is left to express.
 */
export function methodNotAllowed(matchPath: (path: string) => MatchedPath | undefined) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const matched = matchPath(request.path);
    const method = request.method.toLowerCase();
    if (matched === undefined || method === 'options') {
      next();
      return;
    }
    const allowed = allowedMethods(matched);
    if (allowed.includes(request.method.toUpperCase())) {
      next();
      return;
    }
    response.setHeader('allow', allowed.join(', '));
    throw new MethodNotAllowedError(
      `${request.method} is not allowed on ${matched.template}; use ${allowed.join(' or ')}.`,
    );
  };
}
