import { AbortedError, UpstreamError } from '@imagegate/core';
import { z } from 'zod';
import { readJsonWithBase64Fields } from './base64-json.ts';
import { nodeBodyOf } from './upstream-fetch.ts';

/**
 * The one way an adapter reads an upstream's JSON answer: the body as JSON (image fields decoded
 * while it streams in), then a minimal zod schema of the fields we use. Schemas are lenient in the
 * way Vercel's are: a field we use that is missing or of another type reads as undefined, a list
 * entry of another shape is dropped, and every field we do not use is ignored, so an upstream that
 * adds or changes fields does not break us.
 */

/** A field that reads as undefined when absent or of another type. */
export function lenient<Schema extends z.ZodType>(schema: Schema) {
  return schema.optional().catch(undefined);
}

/** A list that reads as empty when it is not a list; entries that do not match `entry` are dropped. */
export function lenientList<Schema extends z.ZodType>(entry: Schema) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((items) =>
      items.flatMap((item): z.output<Schema>[] => {
        const parsed = entry.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      }),
    );
}

/** Image bytes: decoded while the body streamed in (a Buffer), or still base64 text (a key written with escapes). */
export const base64BytesSchema = z.union([
  z.instanceof(Buffer),
  z.string().transform((text) => Buffer.from(text, 'base64')),
]);

/** `body` read through `schema`; an answer of another shape is a retryable upstream error naming `what`. */
export function parseUpstreamJson<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new UpstreamError(`The upstream sent an unusable ${what}.`, {
    code: 'upstream_error',
    retryable: true,
    cause: parsed.error,
  });
}

export interface ReadJsonOptions {
  /** Fields holding base64 images, decoded to Buffers as the body arrives (see base64-json.ts). */
  imageFields?: ReadonlySet<string> | undefined;
}

/** A response body parsed as JSON; throws SyntaxError when it is not JSON, and the transport's error when cut. */
export async function readJsonBody(response: Response, options: ReadJsonOptions = {}): Promise<unknown> {
  const body = nodeBodyOf(response) ?? response.body;
  if (options.imageFields === undefined || body === null) return JSON.parse(await response.text());
  return readJsonWithBase64Fields(body, options.imageFields, {
    sizeHint: Number(response.headers.get('content-length')) || undefined,
  });
}

/**
 * A 2xx answer read through `schema`. An empty body, one that is not JSON, a connection cut
 * mid-body and an answer of another shape are retryable upstream errors; a caller's abort is ours.
 */
export async function readUpstreamJson<Schema extends z.ZodType>(
  response: Response,
  schema: Schema,
  options: ReadJsonOptions & { signal?: AbortSignal | undefined; what?: string | undefined } = {},
): Promise<z.output<Schema>> {
  if (response.body === null) {
    throw new UpstreamError('The upstream answered with an empty body.', { retryable: true });
  }
  let body: unknown;
  try {
    body = await readJsonBody(response, options);
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError(undefined, { cause: error });
    const what = error instanceof SyntaxError ? 'an answer that is not valid JSON' : 'a broken connection';
    throw new UpstreamError(`The upstream sent ${what}.`, { code: 'upstream_error', retryable: true, cause: error });
  }
  return parseUpstreamJson(schema, body, options.what ?? 'answer');
}
