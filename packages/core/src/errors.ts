/**
 * The one error hierarchy. Every error knows its HTTP status, its OpenAI envelope `type`/`code`,
 * the offending `param`, and whether a retry could succeed. Routes throw these; one middleware
 * renders the envelope; the worker maps `retryable` to BullMQ behaviour.
 */

/** The OpenAI error object, as it appears inside `{"error": …}`. */
export interface ErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export interface GatewayErrorOptions {
  param?: string | null;
  code?: string | null;
  cause?: unknown;
  /** Whether the same request may succeed if tried again (default false). */
  retryable?: boolean;
  /** Milliseconds the upstream asked us to wait before the next call (from Retry-After). */
  retryAfterMs?: number;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, type: string, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = type;
    this.code = options.code ?? null;
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

export class ConflictError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(409, 'invalid_request_error', message, { code: 'conflict', ...options });
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(413, 'invalid_request_error', message, { code: 'payload_too_large', ...options });
  }
}

export class RateLimitError extends GatewayError {
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(429, 'rate_limit_error', message, { code: 'rate_limit_exceeded', retryable: true, ...options });
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

/** A stored failure (status + error object) back into an error, e.g. when answering a waiting client. */
export function errorFromStored(status: number, error: ErrorObject): GatewayError {
  return new GatewayError(status, error.type, error.message, { code: error.code, param: error.param });
}

/** Anything thrown, as a GatewayError; unknown errors become a 500 that keeps the original as cause. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new InternalError(undefined, { cause: error });
}

/** The job was canceled by its owner; never charged. */
export class CanceledError extends GatewayError {
  constructor(message = 'The job was canceled.', options: GatewayErrorOptions = {}) {
    super(409, 'invalid_request_error', message, { ...options, code: 'canceled', retryable: false });
  }
}
