import { InvalidRequestError } from '@imagegate/core';
import sharp from 'sharp';

/** The formats an edit accepts as input. */
export type InputImageFormat = 'png' | 'jpeg' | 'webp';

/** What an input image is, read from its bytes (never from its name or declared type). */
export interface SniffedImage {
  format: InputImageFormat;
  width: number;
  height: number;
  hasAlpha: boolean;
}

/** Bytes of the start of an image kept for the header decode; the rest is never held in memory. */
export const SNIFF_HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 12;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A PNG's last chunk: zero length, `IEND`, its fixed CRC. */
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

export const CONTENT_TYPES: Record<InputImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** The format the magic number announces, or undefined. */
export function magicFormat(head: Uint8Array): InputImageFormat | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  return undefined;
}

/**
 * Watches an image's bytes go by, keeping only its first {@link SNIFF_HEAD_BYTES} and last few
 * bytes, then says what it is: magic number, a header sharp can decode, and an intact end (so a
 * truncated upload is refused even though its header decodes).
 */
export class ImageSniffer {
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail = Buffer.alloc(0);
  #total = 0;

  get bytes(): number {
    return this.#total;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#headBytes < SNIFF_HEAD_BYTES) {
      const part = chunk.subarray(0, SNIFF_HEAD_BYTES - this.#headBytes);
      // A copy: the caller's chunk (and the buffer behind it) must not stay alive.
      this.#head.push(Buffer.from(part));
      this.#headBytes += part.length;
    }
    this.#tail = Buffer.concat([this.#tail, chunk.subarray(Math.max(0, chunk.length - TAIL_BYTES))]).subarray(
      -TAIL_BYTES,
    );
  }

  /** What the bytes were; throws a 400 on `param` when they are not a whole PNG, JPEG or WebP. */
  async finish(param: string): Promise<SniffedImage> {
    const head = Buffer.concat(this.#head);
    const format = magicFormat(head);
    if (format === undefined) {
      throw new InvalidRequestError(`${param} is not a PNG, JPEG or WebP image.`, { param, code: 'invalid_value' });
    }
    if (!this.#intactEnd(format, head)) {
      throw new InvalidRequestError(`${param} is a truncated ${format.toUpperCase()} image.`, { param });
    }
    const metadata = await sharp(head)
      .metadata()
      .catch(() => undefined);
    const width = metadata?.width ?? 0;
    const height = metadata?.height ?? 0;
    if (metadata === undefined || metadata.format !== format || !(width > 0 && height > 0)) {
      throw new InvalidRequestError(`${param}'s ${format.toUpperCase()} header cannot be decoded.`, { param });
    }
    return { format, width, height, hasAlpha: metadata.hasAlpha };
  }

  #intactEnd(format: InputImageFormat, head: Buffer): boolean {
    if (format === 'png') return this.#tail.equals(PNG_IEND);
    // Many JPEG writers pad or append after the end marker, so its absence proves nothing.
    if (format === 'jpeg') return true;
    // RIFF: the size field counts everything after its first 8 bytes.
    return head.readUInt32LE(4) + 8 === this.#total;
  }
}
