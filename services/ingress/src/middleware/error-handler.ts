import { describeZodError } from '@imagegate/contracts';
import {
  GatewayError,
  InternalError,
  InvalidRequestError,
  type Logger,
  NotFoundError,
  PayloadTooLargeError,
} from '@imagegate/core';
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { hasBody } from './body-deadline.ts';

/** Errors raised while reading the request: the body parser's carry a `type`, the router's a 4xx `status`. */
function requestReadError(error: unknown): GatewayError | undefined {
  const { type, status, expose } = (error ?? {}) as { type?: unknown; status?: unknown; expose?: unknown };
  if (type === 'entity.too.large') return new PayloadTooLargeError('The request body is too large.');
  if (type === 'entity.parse.failed') {
    return new InvalidRequestError('The request body is not valid JSON.', { code: 'invalid_json' });
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'request.aborted') {
    return new InvalidRequestError('The request body could not be read.', { code: 'invalid_body' });
  }
  // The router could not percent-decode a path parameter (`/v1/images/jobs/%ff`).
  if (error instanceof URIError && status === 400) {
    return new InvalidRequestError('The URL path is not valid percent-encoding.', { code: 'invalid_url' });
  }
  // Anything else the body parser refused as a client error (http-errors marks those `expose`),
  // e.g. a gzip body that does not inflate.
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return new InvalidRequestError('The request body could not be read.', { code: 'invalid_body' });
  }
  return undefined;
}

export function toHttpError(error: unknown, input?: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof ZodError) {
    const issue = describeZodError(error, input);
    return new InvalidRequestError(issue.message, { param: issue.param, code: issue.code });
  }
  return requestReadError(error) ?? new InternalError(undefined, { cause: error });
}

/**
 * Renders every error as the OpenAI envelope. A 500 is logged with the request id; 4xx are not
 * errors. An error answered before the request body arrived closes the connection.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const httpError = toHttpError(error, request.body);
    const requestId = response.locals.requestId as string | undefined;
    if (httpError.status >= 500) {
      logger.error({ err: error, requestId, method: request.method, path: request.path }, 'request failed');
    }
    if (response.headersSent) {
      // A body cut off mid-way cannot be finished; one already answered in full (a 408) stays as is.
      if (!response.writableEnded) response.destroy();
      return;
    }
    // Refused before its body was read (a 401, a 413): the rest of it is not worth reading.
    if (hasBody(request) && !request.complete) response.setHeader('connection', 'close');
    if (httpError.retryAfterMs !== undefined) {
      response.setHeader('retry-after', String(Math.ceil(httpError.retryAfterMs / 1000)));
    }
    response.status(httpError.status).json({ error: httpError.toErrorObject() });
  };
}

export function unknownRoute(request: Request): never {
  throw new NotFoundError(`Invalid URL (${request.method} ${request.path}).`, { code: 'unknown_url' });
}
