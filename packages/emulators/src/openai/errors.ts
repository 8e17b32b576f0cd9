/** The inner object of OpenAI's error envelope `{"error": {...}}`; every key is always present. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** A complete non-2xx answer: status, JSON body and any extra headers (e.g. `retry-after`). */
export interface OpenAIErrorReply {
  status: number;
  body: { error: OpenAIErrorObject } & Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Builds an error reply in OpenAI's envelope. */
export function openAIError(
  status: number,
  type: string,
  message: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorReply {
  return { status, body: { error: { message, type, param, code } } };
}

/** 400 `invalid_request_error` naming the offending field, the most common validation failure. */
export function invalidRequest(
  message: string,
  param: string | null,
  code: string | null = 'invalid_value',
): OpenAIErrorReply {
  return openAIError(400, 'invalid_request_error', message, param, code);
}

/** Formats values the way OpenAI lists them: `'a', 'b', and 'c'`. */
export function listValues(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1) ?? ''}`;
}
