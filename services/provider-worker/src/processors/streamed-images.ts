import type { StoredImage } from '@imagegate/contracts';
import type { ProviderImage, ProviderImageResult } from '@imagegate/providers';
import { appendJobProgress, type Redis } from '@imagegate/queue';
import type { ObjectStore } from '@imagegate/storage';
import { extensionOf, imageKey } from './image-keys.ts';

/** Where partial `index` of image `image` of a job is stored. */
export function partialKey(jobId: string, image: number, index: number, mediaType: string): string {
  return `jobs/${jobId}/partials/${image}-${index}.${extensionOf(mediaType)}`;
}

/**
 * A streamed job's images as they happen: each partial and each finished image is stored at once
 * and announced on the job's progress stream (the key, never the bytes), for the requests
 * streaming it. Every image is its own upstream call when streaming, so call index = image index.
 * `images()` is what the job records at the end, in call order.
 */
export class StreamedImages {
  readonly #jobId: string;
  readonly #store: ObjectStore;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #byCall = new Map<number, StoredImage[]>();

  constructor(jobId: string, deps: { store: ObjectStore; redis: Redis; prefix: string }) {
    this.#jobId = jobId;
    this.#store = deps.store;
    this.#redis = deps.redis;
    this.#prefix = deps.prefix;
  }

  readonly onPartialImage = async (call: number, image: ProviderImage, index: number): Promise<void> => {
    const key = partialKey(this.#jobId, call, index, image.mediaType);
    await this.#put(key, image);
    await appendJobProgress(this.#redis, this.#prefix, this.#jobId, {
      kind: 'partial_image',
      image: call,
      index,
      key,
      content_type: image.mediaType,
    });
  };

  readonly onCallDone = async (call: number, result: ProviderImageResult): Promise<void> => {
    const stored = await Promise.all(
      result.images.map(async (image, offset) => {
        const key = imageKey(this.#jobId, call + offset, image.mediaType);
        await this.#put(key, image);
        return { key, content_type: image.mediaType, bytes: image.bytes.byteLength };
      }),
    );
    this.#byCall.set(call, stored);
    for (const image of stored) {
      await appendJobProgress(this.#redis, this.#prefix, this.#jobId, {
        kind: 'image',
        image: call,
        key: image.key,
        content_type: image.content_type,
        size: result.size,
        quality: result.quality,
        background: result.background,
        output_format: result.outputFormat,
        usage: result.usage,
      });
    }
  };

  /** Upstream progress (BFL's), announced for the stream to pass on as a comment; a lost one does not matter. */
  readonly onProgress = (call: number, message: string): void => {
    appendJobProgress(this.#redis, this.#prefix, this.#jobId, {
      kind: 'progress',
      message: `image ${call + 1}: ${message}`,
    }).catch(() => {});
  };

  /** The stored images of every call that succeeded, in call order. */
  images(): StoredImage[] {
    return [...this.#byCall].sort(([a], [b]) => a - b).flatMap(([, stored]) => stored);
  }

  async #put(key: string, image: ProviderImage): Promise<void> {
    await this.#store.putObject(key, image.bytes, {
      contentType: image.mediaType,
      contentLength: image.bytes.byteLength,
    });
  }
}
