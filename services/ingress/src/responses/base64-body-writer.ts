import type { Writable } from 'node:stream';

/**
 * Input bytes encoded per step: 48 KiB is 64 KiB of text. A string over V8's largest regular object
 * (128 KiB) is allocated in the old generation directly, and every such string brought a full
 * garbage collection closer; at half that size it lives and dies young.
 */
const STEP_BYTES = 48 * 1024;
/** Each output buffer holds two steps: one socket write per 128 KiB of text. */
const OUTPUT_BYTES = 2 * (STEP_BYTES / 3) * 4;

/**
 * Writes bytes to a response as base64 text, in pieces of any length, through two output buffers
 * it reuses. Each piece is encoded by Node (a short-lived string) and copied straight into a
 * buffer, so nothing the size of an image lives on the JavaScript heap while the socket drains:
 * base64 strings held across those waits were promoted to the old generation and cost the ingress
 * a full garbage collection every few hundred milliseconds while 32 images of 8 MiB streamed out
 * (the `image-memory` figure). Fresh buffers per piece would count as external memory instead,
 * which brings the same collections. The 0–2 bytes that do not fill a group of 3 wait for the next
 * piece, so the text is exactly `Buffer.toString('base64')` of all the bytes together.
 */
export class Base64BodyWriter {
  readonly #target: Writable;
  readonly #buffers = [Buffer.allocUnsafe(OUTPUT_BYTES), Buffer.allocUnsafe(OUTPUT_BYTES)];
  /** Per buffer: settles when the socket has taken what was last written from it. */
  readonly #flushed: (Promise<void> | undefined)[] = [undefined, undefined];
  #current = 0;
  #length = 0;
  readonly #carry = Buffer.alloc(3);
  #carried = 0;

  constructor(target: Writable) {
    this.#target = target;
  }

  /** Encodes `bytes` after everything pushed before; resolves when the buffers may be filled again. */
  async push(bytes: Uint8Array): Promise<void> {
    const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    if (this.#carried > 0) {
      const taken = Math.min(3 - this.#carried, input.length);
      input.copy(this.#carry, this.#carried, 0, taken);
      this.#carried += taken;
      offset = taken;
      if (this.#carried < 3) return;
      await this.#encode(this.#carry, 0, 3);
      this.#carried = 0;
    }
    const end = input.length - ((input.length - offset) % 3);
    while (offset < end) {
      const stepEnd = Math.min(offset + STEP_BYTES, end);
      await this.#encode(input, offset, stepEnd);
      offset = stepEnd;
    }
    input.copy(this.#carry, 0, end);
    this.#carried = input.length - end;
  }

  /**
   * Encodes what is left (with its `=` padding) and writes it; resolves when the socket has it all.
   * The writer then starts afresh: the next bytes pushed are another value.
   */
  async end(): Promise<void> {
    if (this.#carried > 0) await this.#encode(this.#carry, 0, this.#carried);
    this.#carried = 0;
    await this.#flush();
    await Promise.all(this.#flushed);
  }

  async #encode(source: Buffer, start: number, end: number): Promise<void> {
    const textLength = Math.ceil((end - start) / 3) * 4;
    if (this.#length + textLength > OUTPUT_BYTES) await this.#flush();
    const buffer = this.#buffers[this.#current] as Buffer;
    this.#length += buffer.write(source.toString('base64', start, end), this.#length, 'latin1');
  }

  /** Hands the current buffer to the socket and switches to the other one once the socket is done with it. */
  async #flush(): Promise<void> {
    if (this.#length === 0) return;
    const index = this.#current;
    const buffer = this.#buffers[index] as Buffer;
    const flushed = written(this.#target, buffer.subarray(0, this.#length));
    // Awaited before this buffer is reused or at the end; a client gone meanwhile is not unhandled.
    flushed.catch(() => {});
    this.#flushed[index] = flushed;
    this.#current = 1 - index;
    this.#length = 0;
    await this.#flushed[this.#current];
  }
}

/** Writes `chunk`; settles when the socket has taken it, and rejects when the client has gone. */
function written(target: Writable, chunk: Buffer): Promise<void> {
  if (target.destroyed) return Promise.reject(new Error('client disconnected'));
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('client disconnected'));
    target.once('close', onClose);
    target.write(chunk, (error) => {
      target.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}
