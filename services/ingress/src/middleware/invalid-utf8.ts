import { isUtf8 } from 'node:buffer';
import { paramOf } from './storable-json.ts';

const REPLACEMENT = '\ufffd';
/** U+FFFD as UTF-8: a replacement character the client really sent. */
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT);

/**
 * The text of `body` before its first byte that is not UTF-8, or undefined when it all is. A
 * lenient decode turns each bad sequence into U+FFFD; the first U+FFFD whose bytes are not a real
 * U+FFFD marks where the bad bytes start (everything before it decoded exactly).
 */
export function textBeforeInvalidUtf8(body: Buffer): string | undefined {
  if (isUtf8(body)) return undefined;
  const text = body.toString('utf8');
  let byteOffset = 0;
  let charIndex = 0;
  for (let found = text.indexOf(REPLACEMENT); found !== -1; found = text.indexOf(REPLACEMENT, found + 1)) {
    byteOffset += Buffer.byteLength(text.slice(charIndex, found));
    charIndex = found;
    if (!body.subarray(byteOffset, byteOffset + REPLACEMENT_BYTES.length).equals(REPLACEMENT_BYTES)) {
      return text.slice(0, found);
    }
  }
  return text;
}

type Frame = { kind: 'object'; key: string | undefined; inKey: boolean } | { kind: 'array'; index: number };

/**
 * The path of the JSON value `prefix` (JSON text cut short) ends inside: `["metadata", "k"]` for
 * `{"metadata":{"k":"ab`. Inside a key, the object holding it. A tolerant scan, not a validator:
 * the prefix may be cut anywhere.
 */
export function jsonPathAtEnd(prefix: string): string[] {
  const stack: Frame[] = [];
  let index = 0;
  while (index < prefix.length) {
    const char = prefix[index];
    const top = stack.at(-1);
    if (char === '"') {
      let end = index + 1;
      while (end < prefix.length && prefix[end] !== '"') end += prefix[end] === '\\' ? 2 : 1;
      if (end >= prefix.length) break; // the cut is inside this string
      if (top?.kind === 'object' && top.inKey) top.key = parseJsonString(prefix.slice(index, end + 1));
      index = end + 1;
      continue;
    }
    if (char === '{') stack.push({ kind: 'object', key: undefined, inKey: true });
    else if (char === '[') stack.push({ kind: 'array', index: 0 });
    else if (char === '}' || char === ']') stack.pop();
    else if (char === ':' && top?.kind === 'object') top.inKey = false;
    else if (char === ',' && top?.kind === 'object') top.inKey = true;
    else if (char === ',' && top?.kind === 'array') top.index += 1;
    index += 1;
  }
  const path: string[] = [];
  for (const frame of stack) {
    if (frame.kind === 'array') path.push(String(frame.index));
    else if (frame.inKey || frame.key === undefined) break;
    else path.push(frame.key);
  }
  return path;
}

function parseJsonString(literal: string): string {
  try {
    const parsed: unknown = JSON.parse(literal);
    return typeof parsed === 'string' ? parsed : literal;
  } catch {
    return literal.slice(1, -1);
  }
}

/** Where in a JSON body its first bytes that are not UTF-8 are: the field (`metadata.k`), or null at the top. */
export function findInvalidUtf8(body: Buffer): { param: string | null } | undefined {
  const before = textBeforeInvalidUtf8(body);
  return before === undefined ? undefined : { param: paramOf(jsonPathAtEnd(before)) };
}
