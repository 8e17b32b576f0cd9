import {
  AbortedError,
  errorCodeOf,
  GatewayError,
  InternalError,
  InvalidRequestError,
  ModerationBlockedError,
  TimeoutError,
  UpstreamError,
} from '@imagegate/core';
import { z } from 'zod';
import { lenient, lenientList } from '../http-json.ts';
import { retryAfterMs } from '../retry-after.ts';

/** Google's error envelope `{error: {code, message, status, details}}`, kept as the cause of ours. */
export class GoogleApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** `google.rpc.Code` name, e.g. `RESOURCE_EXHAUSTED`. */
  readonly googleStatus: string | undefined;
  /** `ErrorInfo.reason`, e.g. `API_KEY_INVALID`, `ACCESS_TOKEN_EXPIRED`. */
  readonly reason: string | undefined;
  readonly details: Record<string, unknown>[];

  constructor(status: number, message: string, fields: Omit<GoogleEnvelope, 'message'>) {
    super(message);
    this.name = 'GoogleApiError';
    this.status = status;
    this.googleStatus = fields.googleStatus;
    this.reason = fields.reason;
    this.details = fields.details;
  }
}

interface GoogleEnvelope {
  message: string | undefined;
  googleStatus: string | undefined;
  reason: string | undefined;
  details: Record<string, unknown>[];
}

/** Prompt-level refusals arrive as a 400 INVALID_ARGUMENT with this phrase (docs/providers.md, "Google's errors"). */
const PROMPT_REFUSED = /prompt could not be submitted/i;

/**
 * Google's non-2xx answers as ours. What the caller can fix (bad parameters, a refused prompt)
 * keeps its 400 and Google's words; what only the operator can fix (our key, token, project,
 * billing) is a non-retryable upstream error that does not repeat Google's text, which may name
 * our project. Transient failures are retryable.
 * @param scrub removes our credentials from any text copied out of the answer.
 */
export function mapGoogleError(
  status: number,
  headers: Headers,
  body: unknown,
  scrub: (text: string) => string,
): GatewayError {
  const envelope = readEnvelope(body);
  // Only the envelope's message is fit for a caller; a proxy's HTML page goes to the cause alone.
  const text = scrub(envelope.message ?? '');
  const raw = typeof body === 'string' ? scrub(body.slice(0, 500)) : '';
  // The cause reaches logs whole (pino serialises it), so its details are scrubbed too.
  const details = JSON.parse(scrub(JSON.stringify(envelope.details))) as Record<string, unknown>[];
  const cause = new GoogleApiError(status, text || raw || `HTTP ${status}`, { ...envelope, details });
  const reason = envelope.reason ?? '';
  const upstream = { upstreamCode: upstreamCodeOf(envelope), cause };

  if (status === 400 && PROMPT_REFUSED.test(text)) return new ModerationBlockedError(text, upstream);
  if (reason === 'API_KEY_INVALID' || reason === 'API_KEY_EXPIRED') return authError(upstream);
  if (status === 400) {
    return new InvalidRequestError(text || 'Google refused the request.', {
      ...upstream,
      param: null,
      code: 'invalid_value',
    });
  }
  if ((status === 403 && reason === 'BILLING_DISABLED') || (status === 429 && isDailyQuota(envelope))) {
    return new UpstreamError('The Google account is out of quota.', { ...upstream, code: 'upstream_quota' });
  }
  if (status === 401 || status === 403) return authError(upstream);
  if (status === 404) {
    return new UpstreamError('Google does not offer this model.', { ...upstream, code: 'upstream_model_not_found' });
  }
  if (status === 429) {
    const after = retryAfterMs(headers) ?? retryDelayMs(envelope.details);
    return new UpstreamError('Google is rate limiting us.', {
      ...upstream,
      code: 'upstream_rate_limited',
      retryable: true,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new UpstreamError(`Google failed (${status}).`, { ...upstream, code: 'upstream_error', retryable: true });
  }
  return new UpstreamError(`Google answered ${status}.`, { ...upstream, code: 'upstream_error' });
}

/** Google's own code: its `google.rpc.Code` name and `ErrorInfo.reason`, e.g. `PERMISSION_DENIED:BILLING_DISABLED`. */
function upstreamCodeOf(envelope: GoogleEnvelope): string | undefined {
  const parts = [envelope.googleStatus, envelope.reason].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(':') : undefined;
}

/** Anything else that ended a call: our caller leaving, our deadline, or the network. */
export function mapTransportError(
  error: unknown,
  signals: { caller?: AbortSignal | undefined; deadline: AbortSignal },
): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signals.caller?.aborted) {
    return new AbortedError(undefined, { cause: error });
  }
  // undici's `request` puts the code on the error; its `fetch` on the cause of a TypeError.
  const code = errorCodeOf(error) ?? (error instanceof Error ? errorCodeOf(error.cause) : undefined);
  if (signals.deadline.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TimeoutError('Google did not answer in time.', { retryable: true, cause: error });
  }
  // Refused, reset and cut-off connections, DNS and TLS failures: anything the transport reports
  // with a code (ECONNREFUSED, EAI_AGAIN, UND_ERR_SOCKET, CERT_HAS_EXPIRED…), or fetch's TypeErrors.
  if (error instanceof TypeError || code !== undefined) {
    return new UpstreamError('Could not reach Google.', {
      code: 'upstream_unreachable',
      retryable: true,
      cause: error,
    });
  }
  return new InternalError(undefined, { cause: error });
}

function authError(upstream: { upstreamCode: string | undefined; cause: GoogleApiError }): UpstreamError {
  return new UpstreamError('Google refused our credentials.', { ...upstream, code: 'upstream_auth' });
}

const detailSchema = z.record(z.string(), z.unknown());

/** The envelope's fields we use; anything else stays in `details` for the cause. */
const envelopeSchema = z.object({
  error: lenient(
    z.object({
      message: lenient(z.string()),
      status: lenient(z.string()),
      details: lenientList(detailSchema),
    }),
  ),
});

/** The envelope, also when wrapped in an array (some Vertex endpoints) or missing parts. */
function readEnvelope(body: unknown): GoogleEnvelope {
  const outer = Array.isArray(body) ? body[0] : body;
  const parsed = envelopeSchema.safeParse(outer);
  const error = parsed.success ? parsed.data.error : undefined;
  const details = error?.details ?? [];
  const info = details.find((detail) => typeOf(detail) === 'google.rpc.ErrorInfo');
  return {
    message: error?.message,
    googleStatus: error?.status,
    reason: stringOf(info?.reason),
    details,
  };
}

/** `RetryInfo.retryDelay`, a protobuf Duration in JSON: `"17s"`, `"0.5s"`. */
function retryDelayMs(details: Record<string, unknown>[]): number | undefined {
  const delay = stringOf(details.find((detail) => typeOf(detail) === 'google.rpc.RetryInfo')?.retryDelay);
  const seconds = delay === undefined ? undefined : /^(\d+(?:\.\d+)?)s$/.exec(delay)?.[1];
  return seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}

const violationsSchema = lenientList(z.object({ quotaId: lenient(z.string()) }));

/**
 * The Gemini API's per-day quota: a `QuotaFailure` naming a `PerDay` quota and no `RetryInfo`.
 * Retrying within minutes cannot help.
 */
function isDailyQuota(envelope: GoogleEnvelope): boolean {
  if (envelope.details.some((detail) => typeOf(detail) === 'google.rpc.RetryInfo')) return false;
  return envelope.details
    .filter((detail) => typeOf(detail) === 'google.rpc.QuotaFailure')
    .flatMap((detail) => violationsSchema.parse(detail.violations))
    .some((violation) => /PerDay/.test(violation.quotaId ?? ''));
}

function typeOf(detail: Record<string, unknown>): string {
  return (stringOf(detail['@type']) ?? '').replace(/^type\.googleapis\.com\//, '');
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
