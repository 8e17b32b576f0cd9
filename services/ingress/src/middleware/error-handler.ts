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

/** Errors raised by express's body parser carry a `type`. */
function bodyParserError(error: unknown): GatewayError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new PayloadTooLargeError('The request body is too large.');
  if (type === 'entity.parse.failed') {
    return new InvalidRequestError('The request body is not valid JSON.', { code: 'invalid_json' });
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'request.aborted') {
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
  return bodyParserError(error) ?? new InternalError(undefined, { cause: error });
}

/** Renders every error as the OpenAI envelope. A 500 is logged with the request id; 4xx are not errors. */
export function errorHandler(logger: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const httpError = toHttpError(error, request.body);
    const requestId = response.locals.requestId as string | undefined;
    if (httpError.status >= 500) {
      logger.error({ err: error, requestId, method: request.method, path: request.path }, 'request failed');
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (httpError.retryAfterMs !== undefined) {
      response.setHeader('retry-after', String(Math.ceil(httpError.retryAfterMs / 1000)));
    }
    response.status(httpError.status).json({ error: httpError.toErrorObject() });
  };
}

export function unknownRoute(request: Request): never {
  throw new NotFoundError(`Invalid URL (${request.method} ${request.path}).`, { code: 'unknown_url' });
}
