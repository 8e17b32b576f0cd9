import {
  AbortedError,
  type GatewayError,
  InvalidRequestError,
  ModerationBlockedError,
  type Redact,
  UpstreamError,
} from '@imagegate/core';
import { z } from 'zod';
import { lenient, lenientList } from '../http-json.ts';
import { retryAfterMs } from '../retry-after.ts';
import { paramOfBflField } from './bfl-options.ts';

/** A non-2xx answer from a BFL endpoint. */
export interface BflHttpFailure {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when it was not JSON. */
  body: unknown;
}

/**
 * A failed submission as ours. What the caller can fix (a 400/422 on a field) keeps its 400 with
 * our name for the field; what only the operator can fix (key, credits, model) is a non-retryable
 * upstream error, so the caller is not told about our account; transient failures are retryable.
 * While polling, a 4xx other than auth and rate limits means the task itself is broken, not the request.
 */
export function mapBflHttpError(failure: BflHttpFailure, phase: 'submit' | 'poll', redact: Redact): GatewayError {
  const { status } = failure;
  const cause = new Error(redact(`BFL ${phase} answered ${status}: ${describeBody(failure.body)}`));
  // BFL's answers carry no code of their own: its HTTP status is the one it gives.
  const upstream = { upstreamCode: String(status), cause };
  if (phase === 'submit' && status === 422) return validationError(failure.body, redact, upstream);
  if (phase === 'submit' && status === 400) {
    return new InvalidRequestError(
      redact(detailMessage(failure.body) ?? 'The upstream refused the request.'),
      upstream,
    );
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('The upstream refused our credentials.', { ...upstream, code: 'upstream_auth' });
  }
  if (status === 402) {
    return new UpstreamError('The upstream account is out of credits.', { ...upstream, code: 'upstream_quota' });
  }
  if (phase === 'submit' && status === 404) {
    return new UpstreamError('The upstream does not offer this model.', {
      ...upstream,
      code: 'upstream_model_not_found',
    });
  }
  if (status === 429) {
    const after = retryAfterMs(failure.headers);
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

/** The caller went away: the same 499 the OpenAI adapter reports. */
export function abortedError(cause: unknown): GatewayError {
  return new AbortedError(undefined, { cause });
}

/** A task that ended `Request Moderated` (the prompt or an input image) or `Content Moderated` (the output). */
export function moderationError(status: string, details: unknown): ModerationBlockedError {
  const listed = moderationDetailsSchema.safeParse(details).data?.['Moderation Reasons'] ?? [];
  const subject =
    status === 'Content Moderated'
      ? "The upstream's safety system withheld the generated image"
      : "The upstream's safety system refused the request";
  return new ModerationBlockedError(listed.length > 0 ? `${subject} (${listed.join(', ')}).` : `${subject}.`, {
    upstreamCode: status,
  });
}

/** A task that ended `Error` or `Failed` (its `status`): generation broke upstream, so another try may succeed. */
export function taskFailedError(status: string, details: unknown, redact: Redact): UpstreamError {
  const text = typeof details === 'string' ? details : detailMessage({ detail: details });
  return new UpstreamError(redact(text ?? 'The upstream failed to generate the image.'), {
    code: 'upstream_error',
    upstreamCode: status,
    retryable: true,
  });
}

/** A 2xx answer we cannot use (no JSON, missing fields): transient until proven otherwise. */
export function malformedAnswerError(what: string): UpstreamError {
  return new UpstreamError(`The upstream sent an unusable ${what}.`, { code: 'upstream_error', retryable: true });
}

/** FastAPI's 422: the first issue's message, and its field (the last `loc` element) under our name. */
function validationError(
  body: unknown,
  redact: Redact,
  upstream: { upstreamCode: string; cause: Error },
): InvalidRequestError {
  const issues = validationBodySchema.safeParse(body).data?.detail ?? [];
  const first = issues[0];
  if (first === undefined) {
    return new InvalidRequestError(redact(detailMessage(body) ?? 'The upstream refused the request.'), upstream);
  }
  const field = first.loc.at(-1);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first.msg ?? 'Invalid value.';
  return new InvalidRequestError(redact(`${message}${more}`), {
    ...upstream,
    param: typeof field === 'string' && field !== 'body' ? paramOfBflField(field) : null,
  });
}

/** `detail` as FastAPI sends it, or `message` as BFL's docs claim; undefined when neither is text. */
function detailMessage(body: unknown): string | undefined {
  const parsed = messageBodySchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : undefined;
  for (const value of [parsed.data.detail, parsed.data.message, parsed.data.error]) {
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'object' && value.message !== undefined) return value.message;
    if (typeof value === 'object' && value.error !== undefined) return value.error;
  }
  return undefined;
}

const moderationDetailsSchema = z.object({
  'Moderation Reasons': lenient(z.array(z.unknown())).transform((reasons) =>
    (reasons ?? []).filter((reason) => typeof reason === 'string'),
  ),
});

const validationBodySchema = z.object({
  detail: lenientList(
    z.object({ loc: lenient(z.array(z.unknown())).transform((loc) => loc ?? []), msg: lenient(z.string()) }),
  ),
});

/** Where BFL, FastAPI and proxies put a message: a string, or an object holding `message` or `error`. */
const messageTextSchema = lenient(
  z.union([z.string(), z.object({ message: lenient(z.string()), error: lenient(z.string()) })]),
);

const messageBodySchema = z.object({ detail: messageTextSchema, message: messageTextSchema, error: messageTextSchema });

function describeBody(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text === undefined ? '(empty)' : text.slice(0, 500);
}
