import { join } from 'node:path';

// A segment encodes to at most this many bytes: the common 255-byte file-name limit, less room
// for the prefix of the metadata file kept beside it.
const MAX_NAME_BYTES = 240;
// An empty segment (`a//b`, a trailing `/`): `%` alone is never what encodeURIComponent makes.
const EMPTY_SEGMENT = '%';

/**
 * One key segment as a file name: percent-encoded as by `encodeURIComponent`, with a leading `.`
 * encoded too, so no name is `.`, `..` or hidden. Names that start with `.` are therefore free for
 * the store's own temporary and metadata files, and no key can reach outside the store's directory.
 */
function encodeSegment(segment: string): string {
  if (segment === '') return EMPTY_SEGMENT;
  const encoded = encodeURIComponent(segment).replace(/^\./, '%2E');
  if (Buffer.byteLength(encoded) > MAX_NAME_BYTES) {
    throw new Error(`object key segment too long for the local store (${encoded.length} bytes encoded)`);
  }
  return encoded;
}

/** The key segment a file name stands for, or undefined for a name the store did not make. */
export function decodeSegment(name: string): string | undefined {
  if (name === EMPTY_SEGMENT) return '';
  if (name.startsWith('.')) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** The directories and file name a key is stored under, relative to the store's directory. */
export function keySegments(key: string): string[] {
  if (key.length === 0) throw new Error('object key must not be empty');
  return key.split('/').map(encodeSegment);
}

/** The absolute file path of `key` under `root`. */
export function keyPath(root: string, key: string): string {
  return join(root, ...keySegments(key));
}
