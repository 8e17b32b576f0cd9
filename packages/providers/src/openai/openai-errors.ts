import {
  AbortedError,
  type ErrorCode,
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
  // OpenAI's own code (its type when it gives none) goes to the attempt log, never into our `code`.
  const upstream = { upstreamCode: code ?? error.type, cause: error };
  const message = upstreamMessage(error);
  if (code === 'moderation_blocked' || code === 'content_policy_violation') {
    return new ModerationBlockedError(message, upstream);
  }
  if (status === 400 || status === 422) {
    return new InvalidRequestError(message, { ...upstream, param: error.param ?? null, code: parameterCode(code) });
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('The upstream refused our credentials.', { ...upstream, code: 'upstream_auth' });
  }
  if (status === 404) {
    return new UpstreamError('The upstream does not offer this model.', {
      ...upstream,
      code: 'upstream_model_not_found',
    });
  }
  if (status === 429 && code === 'insufficient_quota') {
    return new UpstreamError('The upstream account is out of quota.', { ...upstream, code: 'upstream_quota' });
  }
  if (status === 429) {
    const after = retryAfterMs(error.headers);
    return new UpstreamError('The upstream is rate limiting us.', {
      ...upstream,
      code: 'upstream_rate_limited',
      retryable: true,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new UpstreamError(`The upstream failed (${status}).`, {
      ...upstream,
      code: 'upstream_error',
      retryable: true,
    });
  }
  return new UpstreamError(`The upstream answered ${status}.`, { ...upstream, code: 'upstream_error' });
}

/**
 * OpenAI's code for a refused parameter, as ours: the request-parameter codes we share with OpenAI
 * mean the same thing; anything else it says about a parameter is `invalid_value`.
 */
function parameterCode(upstreamCode: string | null): ErrorCode {
  switch (upstreamCode) {
    case 'invalid_type':
    case 'missing_required_parameter':
    case 'unknown_parameter':
      return upstreamCode;
    default:
      return 'invalid_value';
  }
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
