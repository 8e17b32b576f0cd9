import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidRequestError, PayloadTooLargeError } from '@imagegate/core';
import type { WebhookUrlPolicy } from '@imagegate/webhooks';
import { checkMask } from './check-mask.ts';
import { fetchImageUrl } from './fetch-image-url.ts';
import { inputKey, type ReadEditOptions } from './read-multipart-edit.ts';
import type { InputImageFormat } from './sniff-image.ts';
import { DEFAULT_MAX_INPUT_IMAGE_BYTES, type StoredInputImage, storeInputImage } from './store-input-image.ts';

/** Default longest an image URL may take to fetch (ms). */
export const DEFAULT_IMAGE_FETCH_TIMEOUT_MS = 15_000;

export interface ReadJsonEditImagesOptions extends ReadEditOptions {
  /** The SSRF guard's settings (the webhook policy: `WEBHOOK_ALLOW_HOSTS` may use http and private addresses). */
  urlPolicy: WebhookUrlPolicy;
  /** Longest one image URL may take (ms); default {@link DEFAULT_IMAGE_FETCH_TIMEOUT_MS}. */
  fetchTimeoutMs?: number;
  /** Reads a URL of our own store (see own-image.ts); undefined for any other URL. */
  ownImage?: ((url: string) => Promise<Readable | undefined>) | undefined;
}

const DATA_URL = /^data:image\/(?:png|jpeg|jpg|webp);base64,/i;

function imageUrlOf(value: unknown, param: string): string {
  const url = typeof value === 'object' && value !== null && 'image_url' in value ? value.image_url : undefined;
  if (typeof url !== 'string' || url === '') {
    throw new InvalidRequestError(`${param} must be a data: or https URL.`, {
      param,
      code: url === undefined ? 'missing_required_parameter' : 'invalid_value',
    });
  }
  return url;
}

/**
 * Stores the images of a JSON edit (`images: [{image_url}]`, `mask: {image_url}`) the way
 * `readMultipartEdit` stores uploaded ones: `data:image/…;base64,` URLs (size-checked before
 * decoding) or https URLs fetched through the webhook SSRF guard with size and time limits. On any
 * refusal every object already written is deleted and the 4xx names the part
 * (`images[1].image_url`, `mask.image_url`; `mask` when the mask does not fit the first image).
 */
export async function readJsonEditImages(
  body: { images?: unknown; mask?: unknown },
  options: ReadJsonEditImagesOptions,
): Promise<{ images: StoredInputImage[]; mask?: StoredInputImage }> {
  const maxBytes = options.maxInputImageBytes ?? DEFAULT_MAX_INPUT_IMAGE_BYTES;
  if (body.images === undefined) {
    throw new InvalidRequestError('images is required: [{ image_url }].', {
      param: 'images',
      code: 'missing_required_parameter',
    });
  }
  if (!Array.isArray(body.images) || body.images.length === 0) {
    throw new InvalidRequestError('images must be a non-empty array of { image_url }.', { param: 'images' });
  }
  if (body.images.length > options.maxImages) {
    throw new InvalidRequestError(`At most ${options.maxImages} images may be edited at once.`, {
      param: `images[${options.maxImages}]`,
    });
  }
  const sources = body.images.map((entry, i) => ({
    url: imageUrlOf(entry, `images[${i}].image_url`),
    param: `images[${i}].image_url`,
    name: i,
  }));
  const maskUrl = body.mask === undefined ? undefined : imageUrlOf(body.mask, 'mask.image_url');

  const spoolDir = await mkdtemp(join(tmpdir(), 'imagegate-edit-'));
  const written: string[] = [];
  const store = async (url: string, param: string, name: number | 'mask'): Promise<StoredInputImage> => {
    const common = {
      store: options.store,
      keyFor: (ext: InputImageFormat) => inputKey(options.jobId, name, ext),
      param,
      maxBytes,
      spoolDir,
      onWrite: (key: string) => written.push(key),
    };
    let stored: StoredInputImage | undefined;
    const match = DATA_URL.exec(url);
    const own = match === null ? await options.ownImage?.(url) : undefined;
    if (own !== undefined) {
      stored = await storeInputImage(own, common);
    } else if (match !== null) {
      const encoded = url.slice(match[0].length);
      // Checked before decoding: base64 is 4 characters per 3 bytes.
      if (encoded.length > Math.ceil(maxBytes / 3) * 4) {
        throw new PayloadTooLargeError(`${param} is larger than ${maxBytes} bytes.`, { param });
      }
      stored = await storeInputImage(Readable.from([Buffer.from(encoded, 'base64')]), common);
    } else if (url.startsWith('data:')) {
      throw new InvalidRequestError(`${param} must be a base64 data:image/png, jpeg or webp URL.`, { param });
    } else {
      stored = await fetchImageUrl(
        url,
        {
          policy: options.urlPolicy,
          timeoutMs: options.fetchTimeoutMs ?? DEFAULT_IMAGE_FETCH_TIMEOUT_MS,
          maxBytes,
          param,
        },
        (response) => storeInputImage(response, common),
      );
    }
    if (stored === undefined) throw new Error(`${param} was not stored`);
    return stored;
  };

  try {
    const images: StoredInputImage[] = [];
    for (const source of sources) images.push(await store(source.url, source.param, source.name));
    if (maskUrl === undefined) return { images };
    const mask = await store(maskUrl, 'mask.image_url', 'mask');
    const first = images[0];
    if (first !== undefined) checkMask(mask, first);
    return { images, mask };
  } catch (error) {
    await options.store.deleteObjects(written);
    throw error;
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}
