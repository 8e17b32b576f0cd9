import {
  AbortedError,
  GatewayError,
  InternalError,
  InvalidRequestError,
  ModerationBlockedError,
  type Redact,
  TimeoutError,
  UpstreamError,
} from '@imagegate/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { retryAfterMs } from '../retry-after.ts';

/**
 * OpenAI's errors as ours. What the caller can fix (bad parameters, moderation) keeps its 400;
 * what only the operator can fix (our upstream key, quota) is a non-retryable upstream error, so
 * the caller is not told about our credentials. Transient failures are retryable.
 */
export function mapOpenAIError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof APIUserAbortError) {
    return new AbortedError(undefined, { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new TimeoutError('The upstream did not answer in time.', { retryable: true, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new UpstreamError('Could not reach the upstream.', {
      code: 'upstream_unreachable',
      retryable: true,
      cause: error,
    });
  }
  if (!(error instanceof APIError)) return new InternalError(undefined, { cause: error });

  const status = error.status ?? 0;
  const code = typeof error.code === 'string' ? error.code : null;
  const message = upstreamMessage(error);
  if (code === 'moderation_blocked' || code === 'content_policy_violation') {
    return new ModerationBlockedError(message, { cause: error });
  }
  if (status === 400 || status === 422) {
    return new InvalidRequestError(message, {
      param: error.param ?? null,
      code: code ?? 'invalid_value',
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('The upstream refused our credentials.', { code: 'upstream_auth', cause: error });
  }
  if (status === 404) {
    return new UpstreamError('The upstream does not offer this model.', {
      code: 'upstream_model_not_found',
      cause: error,
    });
  }
  if (status === 429 && code === 'insufficient_quota') {
    return new UpstreamError('The upstream account is out of quota.', { code: 'upstream_quota', cause: error });
  }
  if (status === 429) {
    const after = retryAfterMs(error.headers);
    return new UpstreamError('The upstream is rate limiting us.', {
      code: 'upstream_rate_limited',
      retryable: true,
      cause: error,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new UpstreamError(`The upstream failed (${status}).`, {
      code: 'upstream_error',
      retryable: true,
      cause: error,
    });
  }
  return new UpstreamError(`The upstream answered ${status}.`, { code: 'upstream_error', cause: error });
}

function upstreamMessage(error: APIError): string {
  const inner = error.error as { message?: unknown } | undefined;
  return typeof inner?.message === 'string' ? inner.message : 'The upstream refused the request.';
}

/** The SDK's error with `redact` applied to everything a log or a client could see of it. */
export function redactApiError(error: unknown, redact: Redact): unknown {
  if (!(error instanceof APIError)) return error;
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  if (error.error !== undefined) {
    // Read-only in the SDK's types, a plain property at runtime: replaced rather than left holding the key.
    Object.defineProperty(error, 'error', { value: JSON.parse(redact(JSON.stringify(error.error))) });
  }
  return error;
}
