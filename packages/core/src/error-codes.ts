/**
 * The closed vocabulary of the error envelope's `code`: every code the public API can answer, in
 * a response, a job's `error`, or a job's attempt log (`routing.attempts[].error_code`). An
 * upstream's own code is never one of these by accident: the adapters map it to ours and keep it
 * apart (`GatewayError.upstreamCode`). `docs/error-codes.md` documents the same table.
 */
export const ERROR_CODES = [
  'invalid_value',
  'invalid_type',
  'missing_required_parameter',
  'unknown_parameter',
  'unsupported_parameter',
  'invalid_json',
  'invalid_body',
  'invalid_content_type',
  'invalid_url',
  'invalid_http_request',
  'model_retired',
  'model_not_supported',
  'moderation_blocked',
  'missing_api_key',
  'invalid_api_key',
  'invalid_admin_token',
  'image_url_invalid',
  'image_url_expired',
  'insufficient_balance',
  'not_found',
  'model_not_found',
  'unknown_url',
  'method_not_allowed',
  'request_timeout',
  'idempotency_conflict',
  'range_not_satisfiable',
  'canceled',
  'image_expired',
  'payload_too_large',
  'request_header_fields_too_large',
  'aborted',
  'upstream_error',
  'upstream_auth',
  'upstream_quota',
  'upstream_rate_limited',
  'upstream_unreachable',
  'upstream_model_not_found',
  'upstream_no_image',
  'upstream_not_configured',
  'all_models_failed',
  'overloaded',
  'provider_unavailable',
  'timeout',
] as const;

/** One of {@link ERROR_CODES}. A 500 answers no code at all (`null`), as OpenAI's do. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The envelope's `type`: OpenAI's names where OpenAI has one, ours for what it has not. */
export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'insufficient_balance',
  'upstream_error',
  'overloaded',
  'timeout',
  'server_error',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/** What a code means to a caller. */
export interface ErrorCodeDetails {
  /** The HTTP status the code is answered with (docs/error-codes.md names the two cases that differ). */
  status: number;
  type: ErrorType;
  /** One line, for the reference table. */
  meaning: string;
}

/** Each code's status, type and meaning: the one place that says what a code stands for. */
export const ERROR_CODE_DETAILS = {
  invalid_value: { status: 400, type: 'invalid_request_error', meaning: 'A parameter has a value we cannot accept.' },
  invalid_type: { status: 400, type: 'invalid_request_error', meaning: 'A parameter has the wrong JSON type.' },
  missing_required_parameter: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A required parameter is missing.',
  },
  unknown_parameter: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The body names a parameter we do not know.',
  },
  unsupported_parameter: {
    status: 400,
    type: 'invalid_request_error',
    meaning:
      'A standard parameter that would change what the answer means, which an image model cannot honour (tools, a JSON response format, logprobs).',
  },
  invalid_json: { status: 400, type: 'invalid_request_error', meaning: 'The body is not valid JSON.' },
  invalid_body: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The body could not be read (encoding, charset, compression, or it stopped arriving).',
  },
  invalid_content_type: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The body is not sent as application/json (or, for edits, multipart/form-data).',
  },
  invalid_url: { status: 400, type: 'invalid_request_error', meaning: 'The URL path is not valid percent-encoding.' },
  invalid_http_request: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The request is not valid HTTP/1.1 (bad header bytes, conflicting lengths, unknown method).',
  },
  model_not_supported: {
    status: 400,
    type: 'invalid_request_error',
    meaning:
      'The model cannot do what the endpoint asks (edit, or generate without an input image); the message names models that can.',
  },
  model_retired: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The model was retired; the message names its replacement.',
  },
  moderation_blocked: {
    status: 400,
    type: 'invalid_request_error',
    meaning: "The upstream's safety system refused the prompt or withheld the image.",
  },
  missing_api_key: { status: 401, type: 'authentication_error', meaning: 'No API key was sent.' },
  invalid_api_key: { status: 401, type: 'authentication_error', meaning: 'The API key is unknown or revoked.' },
  invalid_admin_token: { status: 401, type: 'authentication_error', meaning: 'The admin token is missing or wrong.' },
  image_url_invalid: {
    status: 403,
    type: 'invalid_request_error',
    meaning: 'The image URL is not one imagegate signed: its signature, key or expiry was changed.',
  },
  image_url_expired: {
    status: 403,
    type: 'invalid_request_error',
    meaning: 'The image URL has expired; read the job again for a fresh one.',
  },
  insufficient_balance: {
    status: 402,
    type: 'insufficient_balance',
    meaning: "The account's available balance cannot cover the request's price.",
  },
  not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning: 'No such resource for this caller (a job of another account is not found either).',
  },
  model_not_found: { status: 404, type: 'invalid_request_error', meaning: 'No model of that name in the catalog.' },
  unknown_url: { status: 404, type: 'invalid_request_error', meaning: 'No endpoint at this method and path.' },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request_error',
    meaning: 'The path exists but not with this method; `Allow` lists the methods it takes.',
  },
  request_timeout: { status: 408, type: 'invalid_request_error', meaning: 'The request took too long to arrive.' },
  idempotency_conflict: {
    status: 409,
    type: 'invalid_request_error',
    meaning: 'The Idempotency-Key was already used with a different request body.',
  },
  range_not_satisfiable: {
    status: 416,
    type: 'invalid_request_error',
    meaning: 'The Range header starts past the end of the image.',
  },
  canceled: { status: 409, type: 'invalid_request_error', meaning: 'The job was canceled by its owner.' },
  image_expired: {
    status: 410,
    type: 'invalid_request_error',
    meaning: 'The image was deleted after IMAGE_RETENTION_DAYS; the job keeps its metadata.',
  },
  payload_too_large: {
    status: 413,
    type: 'invalid_request_error',
    meaning: 'The body (or a chunk) is over the limit.',
  },
  request_header_fields_too_large: {
    status: 431,
    type: 'invalid_request_error',
    meaning: 'The request headers are over the limit.',
  },
  aborted: {
    status: 499,
    type: 'invalid_request_error',
    meaning: 'An upstream call was abandoned because its job was canceled (seen in attempt logs).',
  },
  upstream_error: {
    status: 502,
    type: 'upstream_error',
    meaning: 'The upstream failed (5xx, a failed task, an unusable answer) and retries did not help.',
  },
  upstream_auth: {
    status: 502,
    type: 'upstream_error',
    meaning: "The upstream refused the gateway's credentials or access; the operator must fix it.",
  },
  upstream_quota: {
    status: 502,
    type: 'upstream_error',
    meaning: "The gateway's upstream account is out of quota or credits.",
  },
  upstream_rate_limited: {
    status: 502,
    type: 'upstream_error',
    meaning: 'The upstream kept rate limiting the gateway.',
  },
  upstream_unreachable: {
    status: 502,
    type: 'upstream_error',
    meaning: 'The upstream could not be reached (DNS, TLS, refused or reset connection).',
  },
  upstream_model_not_found: {
    status: 502,
    type: 'upstream_error',
    meaning: 'The upstream does not offer the model the catalog routes to.',
  },
  upstream_no_image: { status: 502, type: 'upstream_error', meaning: 'The upstream answered without an image.' },
  upstream_not_configured: {
    status: 502,
    type: 'upstream_error',
    meaning: "The provider lacks the configuration this model's upstream surface needs.",
  },
  all_models_failed: {
    status: 502,
    type: 'upstream_error',
    meaning: 'The model and every fallback failed; the message lists each attempt.',
  },
  overloaded: {
    status: 503,
    type: 'overloaded',
    meaning: "The provider's queue is full or the job queue is unreachable; retry after Retry-After.",
  },
  provider_unavailable: {
    status: 503,
    type: 'overloaded',
    meaning: "No worker serves the model's provider right now.",
  },
  timeout: {
    status: 504,
    type: 'timeout',
    meaning: 'The job passed its deadline, or the upstream did not answer in time.',
  },
} as const satisfies Record<ErrorCode, ErrorCodeDetails>;

const LISTED: ReadonlySet<string> = new Set(ERROR_CODES);
const LISTED_TYPES: ReadonlySet<string> = new Set(ERROR_TYPES);

/** Whether `value` is one of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && LISTED.has(value);
}

/** Whether `value` is one of {@link ERROR_TYPES}. */
export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && LISTED_TYPES.has(value);
}
