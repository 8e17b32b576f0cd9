/**
 * Reads an upstream's JSON answer whose images are base64 strings (`b64_json`,
 * `bytesBase64Encoded`, `inlineData.data`) without ever holding them as text: each such string is
 * decoded chunk by chunk as the body arrives, and only the rest of the document (a few hundred
 * bytes) goes through `JSON.parse`. For an 8 MiB image that is ~11 MiB of UTF-8 decoding and
 * parsing not done, and no single step that blocks the event loop for more than a chunk.
 *
 * In the parsed value each such field holds a `Buffer` of the decoded bytes instead of the string.
 * A field is named by its key (`b64_json`) or by its key within the object's own key
 * (`inlineData.data`: a generic key only where it holds an image). A value that is not base64 —
 * a character outside the alphabet, an escape other than `\/`, `\uXXXX` of one, or line breaks —
 * is a SyntaxError, never silently different bytes.
 */
export async function readJsonWithBase64Fields(
  body: AsyncIterable<Uint8Array>,
  fields: ReadonlySet<string>,
  options: { sizeHint?: number | undefined } = {},
): Promise<unknown> {
  const scanner = new Base64FieldScanner(fields, options.sizeHint);
  let sinceYield = 0;
  for await (const chunk of body) {
    // A view, not a copy: fetch hands out plain Uint8Arrays.
    scanner.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    sinceYield += chunk.byteLength;
    if (sinceYield >= YIELD_EVERY_BYTES) {
      // A body already buffered is read entirely in microtasks; 32 such bodies of 11 MiB would
      // hold the event loop for hundreds of milliseconds without this.
      sinceYield = 0;
      await new Promise(setImmediate);
    }
  }
  return scanner.finish();
}

/** Decoding a MiB takes about a millisecond: the event loop gets a turn at least that often. */
const YIELD_EVERY_BYTES = 1 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** Keys longer than this are never one of ours: their bytes are not kept. */
const LONGEST_KEY = 64;
/** What replaces a decoded string in the text that is parsed (`<MARKER><index>`): NUL cannot start base64. */
const MARKER = '\u0000imagegate-blob:';
/** The most a size hint may reserve up front: a lying Content-Length must not allocate gigabytes. */
const LARGEST_RESERVATION = 64 * 1024 * 1024;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BASE64_CHARACTER = /^[A-Za-z0-9+/=]$/;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Byte-level JSON tokenizer that knows just enough: strings, escapes, keys and colons. */
export class Base64FieldScanner {
  /**
   * Field names, bare or `parent.key`: ASCII, compared with the key's raw bytes (an escaped key is
   * not recognised, and its value stays a string).
   */
  readonly #fields: ReadonlySet<string>;
  /** For each open object or array, the key it is the value of ('' for none or an array). */
  readonly #containers: string[] = [];
  /** The document minus the decoded strings, as latin1 pieces (UTF-8 bytes kept as they are). */
  readonly #rest: Buffer[] = [];
  readonly #blobs: Buffer[] = [];
  #state: 'out' | 'string' | 'base64' = 'out';
  #escaped = false;
  /** The string being read, while it is short enough to be a key. */
  #stringBytes: number[] | undefined = [];
  /** The last complete string, if only whitespace followed it: a key once a colon comes. */
  #lastString: string | undefined;
  /** The key whose value comes next, if only whitespace followed its colon. */
  #keyBeforeValue: string | undefined;
  /** The base64 text being decoded: where its bytes go, and the 0–3 characters short of a group of 4. */
  #decoded: ByteSink | undefined;
  #carry = '';
  /** The body's length if known (Content-Length), and how much of it has been pushed. */
  readonly #sizeHint: number | undefined;
  #pushed = 0;

  constructor(fields: ReadonlySet<string>, sizeHint?: number) {
    this.#fields = fields;
    this.#sizeHint = sizeHint;
  }

  push(chunk: Buffer): void {
    this.#pushed += chunk.length;
    let keptFrom = 0;
    let index = 0;
    while (index < chunk.length) {
      if (this.#state === 'base64') {
        const end = chunk.indexOf(QUOTE, index);
        const stop = end === -1 ? chunk.length : end;
        this.#decode(chunk.subarray(index, stop));
        if (end === -1) return;
        this.#endBase64();
        index = end + 1;
        keptFrom = index;
        continue;
      }
      const byte = chunk[index] as number;
      if (this.#state === 'string') {
        this.#readStringByte(byte);
      } else if (byte === QUOTE) {
        if (this.#keyBeforeValue !== undefined && this.#isImageField(this.#keyBeforeValue)) {
          this.#rest.push(chunk.subarray(keptFrom, index));
          // At most 3/4 of what is left of the body: decoded in place, never concatenated.
          const left = this.#sizeHint === undefined ? 0 : this.#sizeHint - this.#pushed + (chunk.length - index);
          this.#decoded = new ByteSink(Math.min(LARGEST_RESERVATION, Math.ceil((Math.max(0, left) * 3) / 4)));
          this.#state = 'base64';
          index++;
          keptFrom = index;
          continue;
        }
        this.#state = 'string';
        this.#stringBytes = [];
        this.#keyBeforeValue = undefined;
      } else if (byte === COLON && this.#lastString !== undefined) {
        this.#keyBeforeValue = this.#lastString;
        this.#lastString = undefined;
      } else if (!isWhitespace(byte)) {
        if (byte === OPEN_BRACE) this.#containers.push(this.#keyBeforeValue ?? '');
        else if (byte === OPEN_BRACKET) this.#containers.push('');
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.#containers.pop();
        this.#lastString = undefined;
        this.#keyBeforeValue = undefined;
      }
      index++;
    }
    if (keptFrom < chunk.length) this.#rest.push(chunk.subarray(keptFrom));
  }

  /** The parsed document, each decoded field a Buffer. Throws SyntaxError for invalid JSON. */
  finish(): unknown {
    if (this.#state !== 'out') throw new SyntaxError('The JSON document ended inside a string.');
    const text = Buffer.concat(this.#rest).toString('utf8');
    return JSON.parse(text, (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith(MARKER)
        ? (this.#blobs[Number(value.slice(MARKER.length))] ?? value)
        : value,
    );
  }

  #isImageField(key: string): boolean {
    return this.#fields.has(key) || this.#fields.has(`${this.#containers.at(-1) ?? ''}.${key}`);
  }

  #readStringByte(byte: number): void {
    if (this.#escaped) {
      this.#escaped = false;
    } else if (byte === BACKSLASH) {
      this.#escaped = true;
    } else if (byte === QUOTE) {
      this.#state = 'out';
      this.#lastString = this.#stringBytes === undefined ? undefined : String.fromCharCode(...this.#stringBytes);
      return;
    }
    if (this.#stringBytes !== undefined) {
      this.#stringBytes.push(byte);
      if (this.#stringBytes.length > LONGEST_KEY) this.#stringBytes = undefined;
    }
  }

  /** Decodes whole groups of 4 characters, keeping the 0–3 left over for the next chunk. */
  #decode(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.#carry.includes('\\') || bytes.includes(BACKSLASH)) {
      this.#decodeEscaped(bytes);
      return;
    }
    let start = 0;
    if (this.#carry.length > 0) {
      const missing = 4 - this.#carry.length;
      if (bytes.length < missing) {
        this.#carry += bytes.toString('latin1');
        return;
      }
      this.#decoded?.writeBase64(this.#carry + bytes.toString('latin1', 0, missing));
      start = missing;
    }
    const aligned = bytes.length - ((bytes.length - start) % 4);
    // Straight from the chunk: no concatenated string to flatten.
    if (aligned > start) this.#decoded?.writeBase64(bytes.toString('latin1', start, aligned));
    this.#carry = bytes.toString('latin1', aligned);
  }

  /**
   * The rare value with JSON escapes in it (`\/` from some encoders, `\uXXXX`, `\n` line breaks):
   * undone first. Anything that does not stand for a base64 character or a line break is refused.
   */
  #decodeEscaped(bytes: Buffer): void {
    const text = this.#carry + bytes.toString('latin1');
    let plain = '';
    let index = 0;
    while (index < text.length) {
      const character = text[index] as string;
      if (character !== '\\') {
        plain += character;
        index++;
        continue;
      }
      const letter = text[index + 1];
      if (letter === undefined) break; // the escape goes on in the next chunk
      if (letter === 'n' || letter === 'r' || letter === 't') {
        index += 2;
        continue;
      }
      let meant = letter;
      if (letter === 'u') {
        if (index + 6 > text.length) break;
        const code = Number.parseInt(text.slice(index + 2, index + 6), 16);
        meant = Number.isNaN(code) ? '' : String.fromCharCode(code);
        index += 6;
      } else {
        index += 2;
      }
      if (meant === '\n' || meant === '\r') continue;
      if (!BASE64_CHARACTER.test(meant)) throw new SyntaxError('A base64 image field holds something else.');
      plain += meant;
    }
    const aligned = plain.length - (plain.length % 4);
    if (aligned > 0) this.#decoded?.writeBase64(plain.slice(0, aligned));
    this.#carry = plain.slice(aligned) + text.slice(index);
  }

  #endBase64(): void {
    // The 0–3 characters left: checked one by one (a lone character is never base64 either).
    if (this.#carry.length === 1 || ![...this.#carry].every((character) => BASE64_CHARACTER.test(character))) {
      throw new SyntaxError('A base64 image field holds something else.');
    }
    if (this.#carry.length > 0) this.#decoded?.writeBase64(this.#carry);
    const blob = this.#decoded?.take() ?? Buffer.alloc(0);
    this.#rest.push(Buffer.from(`${JSON.stringify(MARKER).slice(0, -1)}${this.#blobs.length}"`, 'latin1'));
    this.#blobs.push(blob);
    this.#decoded = undefined;
    this.#carry = '';
    this.#state = 'out';
    this.#keyBeforeValue = undefined;
  }
}

/** Decoded bytes written in place, growing (by copying) only when the size hint was short or missing. */
class ByteSink {
  #buffer: Buffer;
  #length = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(Math.max(capacity, 64 * 1024));
  }

  /**
   * Node's decoder skips what is not base64 (whitespace, control characters) without a word, which
   * would also shift every later group of 4: a count that falls short is refused instead.
   */
  writeBase64(text: string): void {
    const most = this.#length + Math.ceil(text.length / 4) * 3;
    if (most > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(most, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    const written = this.#buffer.write(text, this.#length, 'base64');
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    if (written !== Math.floor(((text.length - padding) * 3) / 4)) {
      throw new SyntaxError('A base64 image field holds something else.');
    }
    this.#length += written;
  }

  /** The bytes; copied to their own buffer when they fill less than half of it (several images in one body). */
  take(): Buffer {
    const bytes = this.#buffer.subarray(0, this.#length);
    return this.#length * 2 < this.#buffer.length ? Buffer.from(bytes) : bytes;
  }
}
