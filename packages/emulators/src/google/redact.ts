import { isJsonObject } from './read-fields.ts';

/** Inline payloads longer than this are replaced in recorded request bodies. */
const MAX_KEPT_CHARS = 256;

/**
 * Copies a request body for `stats().lastRequests` with long `inlineData.data` strings replaced by
 * `<N chars elided>`, so fifty remembered edit requests cannot pin a gigabyte of base64.
 */
export function redactInlineData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactInlineData);
  if (!isJsonObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'data' && typeof child === 'string' && child.length > MAX_KEPT_CHARS) {
      copy[key] = `<${child.length} chars elided>`;
    } else {
      copy[key] = redactInlineData(child);
    }
  }
  return copy;
}
