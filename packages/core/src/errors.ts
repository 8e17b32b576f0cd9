import { type ErrorCode, type ErrorType, isErrorCode, isErrorType } from './error-codes.ts';

/**
 * The one error hierarchy. Every error knows its HTTP status, its OpenAI envelope `type`/`code`,
 * the offending `param`, and whether a retry could succeed. Routes throw these; one middleware
 * renders the envelope; the worker maps `retryable` to BullMQ behaviour. `code` is one of
 * `ERROR_CODES` (error-codes.ts): a code not listed there does not typecheck.
 */

/**
 * The OpenAI error object, as it appears inside `{"error": …}` and as a job stores it. `code` is a
 * string here because stored objects are read back from the database unchecked; what we render
 * comes from a {@link GatewayError}, whose code is listed.
 */
export interface ErrorObject {
  message: string;
  type: ErrorType;
  param: string | null;
  code: ErrorCode | null;
}

export interface GatewayErrorOptions {
  param?: string | null;
  code?: ErrorCode | null;
  /**
   * The upstream's own code for what went wrong (OpenAI's `error.code`, Google's `status`/`reason`,
   * BFL's task status or HTTP status), kept for the attempt log and never rendered as our `code`.
   */
  upstreamCode?: string | undefined;
  cause?: unknown;
  /** Whether the same request may succeed if tried again (default false). */
  retryable?: boolean;
  /** Milliseconds the upstream asked us to wait before the next call (from Retry-After). */
  retryAfterMs?: number;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode | null;
  /** The upstream's own code, when an upstream answer caused this error (see {@link GatewayErrorOptions}). */
  readonly upstreamCode: string | undefined;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, type: ErrorType, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = type;
    this.code = options.code ?? null;
    this.upstreamCode = options.upstreamCode;
    this.param = options.param ?? null;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  toErrorObject(): ErrorObject {
    return { message: this.message, type: this.type, param: this.param, code: this.code };
  }
}

export class InvalidRequestError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(400, 'invalid_request_error', message, { code: 'invalid_value', ...options });
  }
}

/** Node's HTTP parser refused the request (bad header bytes, conflicting Content-Length, unknown method). */
export class InvalidHttpRequestError extends InvalidRequestError {
  constructor(message = 'The request is not valid HTTP/1.1.', options: GatewayErrorOptions = {}) {
    super(message, { ...options, code: 'invalid_http_request' });
  }
}

/** The upstream refused the prompt or the output on safety grounds. Never retried. */
export class ModerationBlockedError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(400, 'invalid_request_error', message, { ...options, code: 'moderation_blocked', retryable: false });
  }
}

export class AuthenticationError extends GatewayError {
  constructor(message = 'Incorrect API key provided.', options: GatewayErrorOptions = {}) {
    super(401, 'authentication_error', message, { code: 'invalid_api_key', ...options });
  }
}

/** A signed image URL (the local store's) that was changed or has expired. */
export class ImageUrlRefusedError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions & { code: 'image_url_invalid' | 'image_url_expired' }) {
    super(403, 'invalid_request_error', message, options);
  }
}

/** An image deleted by the retention sweep (its job keeps its metadata). */
export class ImageExpiredError extends GatewayError {
  constructor(message = 'The image has expired and was deleted.', options: GatewayErrorOptions = {}) {
    super(410, 'invalid_request_error', message, { ...options, code: 'image_expired' });
  }
}

/** A Range header that starts past the end of what it asks for. */
export class RangeNotSatisfiableHttpError extends GatewayError {
  constructor(message = 'The requested range starts past the end of the image.', options: GatewayErrorOptions = {}) {
    super(416, 'invalid_request_error', message, { ...options, code: 'range_not_satisfiable' });
  }
}

export class InsufficientBalanceError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(402, 'insufficient_balance', message, { code: 'insufficient_balance', ...options });
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(404, 'invalid_request_error', message, { code: 'not_found', ...options });
  }
}

/** A known path asked with a method it does not take (the route answers with `Allow`). */
export class MethodNotAllowedError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(405, 'invalid_request_error', message, { ...options, code: 'method_not_allowed' });
  }
}

/** Node's parser gave up waiting for the request to arrive (the server's `requestTimeout`). */
export class RequestTimeoutError extends GatewayError {
  constructor(message = 'The request took too long to arrive.', options: GatewayErrorOptions = {}) {
    super(408, 'invalid_request_error', message, { ...options, code: 'request_timeout' });
  }
}

/** The request conflicts with what already happened; each conflict names itself with its own code. */
export class ConflictError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions & { code: ErrorCode }) {
    super(409, 'invalid_request_error', message, options);
  }
}

/** A canceled job's error, as its owner reads it and a waiting client is answered. Never retried. */
export class CanceledError extends ConflictError {
  constructor(message = 'The job was canceled.', options: GatewayErrorOptions = {}) {
    super(message, { ...options, code: 'canceled', retryable: false });
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(413, 'invalid_request_error', message, { code: 'payload_too_large', ...options });
  }
}

/** Node's parser refused headers over its limit (`maxHeaderSize`). */
export class RequestHeaderFieldsTooLargeError extends GatewayError {
  constructor(message = 'The request headers are too large.', options: GatewayErrorOptions = {}) {
    super(431, 'invalid_request_error', message, { ...options, code: 'request_header_fields_too_large' });
  }
}

/** The upstream failed (after retries and fallbacks, when surfaced to a client). */
export class UpstreamError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(502, 'upstream_error', message, { code: 'upstream_error', ...options });
  }
}

export class OverloadedError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(503, 'overloaded', message, { code: 'overloaded', retryable: true, ...options });
  }
}

export class TimeoutError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(504, 'timeout', message, { code: 'timeout', ...options });
  }
}

/** The caller (a cancel, a client gone) ended the work: nginx's 499, never retried. */
export class AbortedError extends GatewayError {
  constructor(message = 'The request was aborted.', options: GatewayErrorOptions = {}) {
    super(499, 'invalid_request_error', message, { code: 'aborted', ...options, retryable: false });
  }
}

export class InternalError extends GatewayError {
  constructor(message = 'The server had an error while processing your request.', options: GatewayErrorOptions = {}) {
    super(500, 'server_error', message, { code: null, ...options });
  }
}

/**
 * A stored failure (status + error object) back into an error, e.g. when answering a waiting client.
 * The stored code and type are strings from the database: a listed one is kept, anything else
 * becomes `null` (OpenAI's "no code") and `server_error`, so an unlisted code never reaches a
 * client; only a row written under another vocabulary could hold one, and its message still says
 * what happened.
 */
export function errorFromStored(
  status: number,
  error: { message: string; type: string; param: string | null; code: string | null },
): GatewayError {
  const type = isErrorType(error.type) ? error.type : 'server_error';
  return new GatewayError(status, type, error.message, {
    code: isErrorCode(error.code) ? error.code : null,
    param: error.param,
  });
}

/** Anything thrown, as a GatewayError; unknown errors become a 500 that keeps the original as cause. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new InternalError(undefined, { cause: error });
}
