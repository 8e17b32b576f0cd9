import { readJsonBody } from '../http-json.ts';
import type { UpstreamFetch } from '../upstream-fetch.ts';
import { mapGoogleError } from './google-errors.ts';

/** Where Google's answers carry images: Imagen's `bytesBase64Encoded`, Gemini's `inlineData.data`. */
const IMAGE_FIELDS: ReadonlySet<string> = new Set(['bytesBase64Encoded', 'inlineData.data', 'inline_data.data']);

/** A Google answer of any status, its body parsed as JSON when it is JSON. */
export interface GoogleResponse {
  status: number;
  headers: Headers;
  /**
   * Parsed JSON, else the raw text (proxies answer errors in HTML). In a 2xx JSON answer the image
   * fields hold Buffers, decoded as the body streamed in (see base64-json.ts).
   */
  body: unknown;
}

/** POSTs `body` as JSON through the adapter's keep-alive pool and reads the whole answer. */
export async function postJson(
  upstreamFetch: UpstreamFetch,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
): Promise<GoogleResponse> {
  // Not followed: a redirect would carry the API key or token to wherever it points.
  const response = await upstreamFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const ok = response.status >= 200 && response.status <= 299;
  if (ok && response.body !== null && /\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      return {
        status: response.status,
        headers: response.headers,
        body: await readJsonBody(response, { imageFields: IMAGE_FIELDS }),
      };
    } catch (error) {
      // Not JSON after all: successBody turns the text into a 502, as for any non-JSON answer.
      if (!(error instanceof SyntaxError)) throw error;
      return { status: response.status, headers: response.headers, body: 'unparseable JSON' };
    }
  }
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseJson(text) };
}

/** The body of a 2xx JSON answer; otherwise the answer as our error. */
export function successBody(response: GoogleResponse, scrub: (text: string) => string): unknown {
  if (response.status < 200 || response.status > 299) {
    throw mapGoogleError(response.status, response.headers, response.body, scrub);
  }
  if (typeof response.body === 'string') {
    throw mapGoogleError(502, response.headers, 'Google answered with something other than JSON.', scrub);
  }
  return response.body;
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
