import { RequestTimeoutError } from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';

export interface BodyDeadlineOptions {
  /** `BODY_TIMEOUT_MS`: what a body of up to `maxBodyBytes` may take. */
  bodyTimeoutMs: number;
  /** `MAX_BODY_BYTES`: each further this many bytes received earns another `bodyTimeoutMs`. */
  maxBodyBytes: number;
}

/** The time a body may have taken when `received` bytes of it have arrived. */
export function bodyAllowanceMs(received: number, options: BodyDeadlineOptions): number {
  return options.bodyTimeoutMs * Math.max(1, received / options.maxBodyBytes);
}

/** Whether the request says a body follows (a bodyless request may not be `complete` yet when routed). */
export const hasBody = (request: Request): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * Bounds how long a request body may take to arrive, for every route (a JSON body read by the body
 * parser, a multipart upload read as a stream): `bodyTimeoutMs`, and as much again for every
 * further `maxBodyBytes` received, so a large upload must keep up an average rate of
 * `maxBodyBytes` per `bodyTimeoutMs` (default 1 MiB per 10 s). Bytes received count, not the
 * declared `Content-Length`: declaring a huge body buys no time. A body still incomplete past its
 * allowance (sent slowly, or shorter than its `Content-Length`) is answered 408 `request_timeout`
 * with `Connection: close`, then the request is destroyed so whatever reads it stops.
 */
export function bodyDeadline(options: BodyDeadlineOptions) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!hasBody(request)) {
      next();
      return;
    }
    const startedAt = Date.now();
    const { socket } = request;
    // Bytes of this request's headers (and any body in the same packet) are already counted here.
    const bytesAtStart = socket.bytesRead;
    const check = () => {
      if (request.complete || response.headersSent) return;
      const late = startedAt + bodyAllowanceMs(socket.bytesRead - bytesAtStart, options) - Date.now();
      if (late > 0) {
        timer = setTimeout(check, late);
        return;
      }
      const error = new RequestTimeoutError(
        `The request body did not arrive in time (${options.bodyTimeoutMs} ms, and as much again for each further ${options.maxBodyBytes} bytes).`,
      );
      response.once('finish', () => request.destroy(error));
      response.status(408).setHeader('connection', 'close');
      response.json({ error: error.toErrorObject() });
    };
    let timer = setTimeout(check, options.bodyTimeoutMs);
    response.once('close', () => clearTimeout(timer));
    next();
  };
}
