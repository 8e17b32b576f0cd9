import { newId } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every response carries `x-request-id`: the client's when it looks sane, else a new one. */
export function requestId(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : newId('req');
  response.locals.requestId = id;
  response.setHeader('x-request-id', id);
  next();
}
