import { randomBytes } from 'node:crypto';

/** Per-process nonce, so a user-supplied string can never be mistaken for a slot marker. */
const NONCE = randomBytes(6).toString('hex');
const SLOT = new RegExp(`"\\\\u0000${NONCE}:(\\d+)\\\\u0000"`, 'g');

/**
 * A placeholder to put in a JSON value where buffer `index` of {@link jsonWithBuffers} should go.
 * The buffer is spliced in raw (unquoted → quoted by the caller's data), so it must already be a
 * valid JSON string body such as base64 text.
 */
export function bufferSlot(index: number): string {
  return `\u0000${NONCE}:${index}\u0000`;
}

/**
 * Serialises `value` to JSON pieces, replacing each {@link bufferSlot} string with the matching
 * buffer wrapped in quotes. Large base64 payloads are referenced rather than copied into a string.
 */
export function jsonWithBuffers(value: unknown, buffers: readonly Buffer[]): Buffer[] {
  const json = JSON.stringify(value);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const match of json.matchAll(SLOT)) {
    const buffer = buffers[Number(match[1])];
    if (buffer === undefined) throw new Error(`no buffer for slot ${match[1]}`);
    chunks.push(Buffer.from(`${json.slice(last, match.index)}"`), buffer, QUOTE);
    last = match.index + match[0].length;
  }
  chunks.push(Buffer.from(json.slice(last)));
  return chunks;
}

const QUOTE = Buffer.from('"');
