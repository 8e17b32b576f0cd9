import type { UpstreamFetch } from '../upstream-fetch.ts';
import { type GoogleResponse, successBody } from './google-http.ts';

type Json = Record<string, unknown>;

/** The streaming twin of a `:generateContent` URL: `:streamGenerateContent?alt=sse`. */
export function streamUrlOf(generateContentUrl: string): string {
  return `${generateContentUrl.replace(/:generateContent$/, ':streamGenerateContent')}?alt=sse`;
}

/**
 * POSTs to `:streamGenerateContent?alt=sse` and reads Gemini's chunks as they come: each text part
 * (not a thought) goes to `onText` at once; the parts are gathered into one answer shaped like
 * `:generateContent`'s (the last chunk's finish reason and usage), which the caller reads as usual.
 * A non-2xx answer is returned as it is, for the caller's error mapping.
 */
export async function postStreamed(
  upstreamFetch: UpstreamFetch,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
  onText: (text: string) => void,
  scrub: (text: string) => string,
): Promise<unknown> {
  const response = await upstreamFetch(streamUrlOf(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  if (response.status < 200 || response.status > 299 || response.body === null) {
    const text = await response.text();
    const failed: GoogleResponse = { status: response.status, headers: response.headers, body: safeJson(text) };
    return successBody(failed, scrub);
  }
  const parts: Json[] = [];
  let last: Json = {};
  let pending = '';
  const decoder = new TextDecoder();
  const take = (event: string) => {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (data === '') return;
    const chunk = safeJson(data);
    if (typeof chunk !== 'object' || chunk === null) return;
    last = chunk as Json;
    const candidates = Array.isArray(last.candidates) ? (last.candidates as Json[]) : [];
    const content = candidates[0]?.content as { parts?: Json[] } | undefined;
    for (const part of content?.parts ?? []) {
      parts.push(part);
      if (typeof part.text === 'string' && part.thought !== true) onText(part.text);
    }
  };
  for await (const bytes of response.body) {
    pending += decoder.decode(bytes, { stream: true });
    for (let end = pending.search(/\r?\n\r?\n/); end !== -1; end = pending.search(/\r?\n\r?\n/)) {
      take(pending.slice(0, end));
      pending = pending.slice(end).replace(/^\r?\n\r?\n/, '');
    }
  }
  take(pending);
  const candidates = Array.isArray(last.candidates) ? (last.candidates as Json[]) : [];
  const { content: _content, ...finish } = candidates[0] ?? {};
  return {
    ...last,
    candidates: candidates.length === 0 && parts.length === 0 ? [] : [{ ...finish, content: { role: 'model', parts } }],
  };
}

function safeJson(text: string): unknown {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return text;
  }
}
