/** `google.rpc.Code` names used in the `status` field of Google's error envelope. */
export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNKNOWN';

/** The inner object of `{"error": {...}}`; `details` only when Google would send some. */
export interface GoogleErrorObject {
  code: number;
  message: string;
  status: string;
  details?: Record<string, unknown>[];
}

/** A complete non-2xx answer in Google's envelope. */
export interface GoogleErrorReply {
  status: number;
  body: { error: GoogleErrorObject };
}

/** Builds a reply in Google's error envelope (docs/providers.md, "Google's errors"). */
export function googleError(
  code: number,
  status: string,
  message: string,
  details?: Record<string, unknown>[],
): GoogleErrorReply {
  const error: GoogleErrorObject = { code, message, status };
  if (details !== undefined && details.length > 0) error.details = details;
  return { status: code, body: { error } };
}

/** 400 INVALID_ARGUMENT, the answer to every malformed request. */
export function invalidArgument(message: string, details?: Record<string, unknown>[]): GoogleErrorReply {
  return googleError(400, 'INVALID_ARGUMENT', message, details);
}

/** A `google.rpc.ErrorInfo` detail, which clients use to tell e.g. expired tokens from bad keys. */
export function errorInfo(
  reason: string,
  service: string,
  metadata: Record<string, string> = {},
): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service, ...metadata },
  };
}

/**
 * The 400 Google's JSON transcoder sends for a field it does not know, e.g.
 * `Invalid JSON payload received. Unknown name "foo" at 'generation_config': Cannot find field.`
 * @param at snake_case path of the enclosing message; empty for the top level.
 */
export function unknownField(name: string, at: string): GoogleErrorReply {
  const where = at === '' ? '' : ` at '${at}'`;
  const message = `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`;
  return invalidArgument(message, [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: at, description: message }] },
  ]);
}
