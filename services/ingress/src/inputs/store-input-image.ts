import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { InputImage } from '@imagegate/contracts';
import { PayloadTooLargeError } from '@imagegate/core';
import type { ObjectStore } from '@imagegate/storage';
import { CONTENT_TYPES, ImageSniffer, type InputImageFormat, type SniffedImage } from './sniff-image.ts';

/** Default largest input image accepted (bytes): 50 MiB, as OpenAI's edits endpoint. */
export const DEFAULT_MAX_INPUT_IMAGE_BYTES = 50 * 1024 * 1024;

/** The object operations intake needs. */
export type InputObjectStore = Pick<ObjectStore, 'putObject' | 'deleteObjects'>;

/** One input image as stored: where, what, and its fingerprint. */
export interface StoredInputImage {
  key: string;
  format: InputImageFormat;
  width: number;
  height: number;
  hasAlpha: boolean;
  bytes: number;
  /** Hex SHA-256 of the bytes as received. */
  sha256: string;
  contentType: string;
}

export interface StoreInputImageOptions {
  store: InputObjectStore;
  /** The object key once the format is known. */
  keyFor: (format: InputImageFormat) => string;
  /** The request part named in refusals (`image[2]`, `mask`, `images[0].image_url`). */
  param: string;
  maxBytes: number;
  /** A private directory the bytes are spooled to before upload; the spool file is removed. */
  spoolDir: string;
  /** Called with the key just before it is written, so a caller can delete it on a later refusal. */
  onWrite?: (key: string) => void;
  /** Whether to still upload: false once the request as a whole was refused. */
  shouldWrite?: () => boolean;
}

/** An input as the job keeps it: where it is, what its bytes are, their fingerprint. */
export function inputImageOf(image: StoredInputImage): InputImage {
  return {
    key: image.key,
    content_type: image.contentType,
    width: image.width,
    height: image.height,
    bytes: image.bytes,
    sha256: image.sha256,
  };
}

/** An edit's images and its mask, in one list (what was stored for it, what its price counts). */
export function withMask(inputs: {
  images: readonly StoredInputImage[];
  mask?: StoredInputImage | undefined;
}): StoredInputImage[] {
  return inputs.mask === undefined ? [...inputs.images] : [...inputs.images, inputs.mask];
}

let spoolCounter = 0;

/**
 * Streams one input image to a spool file while counting, hashing and sniffing it, then uploads
 * the spool with its length known (S3 needs it up front; without it the store would buffer the
 * whole object in memory). Only the sniffer's head stays in memory. Refuses with a 413 on
 * `param` past `maxBytes` (the source is destroyed) and a 400 when the bytes are not an image.
 */
export async function storeInputImage(
  source: Readable,
  options: StoreInputImageOptions,
): Promise<StoredInputImage | undefined> {
  const spool = join(options.spoolDir, `part-${++spoolCounter}`);
  const hash = createHash('sha256');
  const sniffer = new ImageSniffer();
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(spool);
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        source.unpipe(out);
        source.resume();
        out.destroy();
        reject(error);
      };
      source.on('data', (chunk: Buffer) => {
        if (failed) return;
        if (sniffer.bytes + chunk.length > options.maxBytes) {
          fail(
            new PayloadTooLargeError(`${options.param} is larger than ${options.maxBytes} bytes.`, {
              param: options.param,
            }),
          );
          return;
        }
        sniffer.push(chunk);
        hash.update(chunk);
      });
      source.on('error', fail);
      out.on('error', fail);
      out.on('finish', () => {
        if (!failed) resolve();
      });
      source.pipe(out);
    });
    const image: SniffedImage = await sniffer.finish(options.param);
    if (options.shouldWrite !== undefined && !options.shouldWrite()) return undefined;
    const key = options.keyFor(image.format);
    const contentType = CONTENT_TYPES[image.format];
    options.onWrite?.(key);
    await options.store.putObject(key, createReadStream(spool), { contentType, contentLength: sniffer.bytes });
    return { key, ...image, bytes: sniffer.bytes, sha256: hash.digest('hex'), contentType };
  } finally {
    await rm(spool, { force: true });
  }
}
