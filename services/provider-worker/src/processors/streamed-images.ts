import type { StoredImage } from '@imagegate/contracts';
import type { Logger } from '@imagegate/core';
import type { ProviderImage, ProviderImageResult } from '@imagegate/providers';
import { appendJobProgress, type Redis } from '@imagegate/queue';
import type { ObjectStore } from '@imagegate/storage';
import { extensionOf, imageKey } from './image-keys.ts';

const PROGRESS_EVERY_MS = 10_000;

/** Where partial `index` of image `image` of a job is stored. */
export function partialKey(jobId: string, image: number, index: number, mediaType: string): string {
  return `jobs/${jobId}/partials/${image}-${index}.${extensionOf(mediaType)}`;
}

/**
 * A streamed job's images as they happen: each partial and each finished image is stored at once
 * and announced on the job's progress stream (the key, never the bytes), for the requests
 * streaming it. Every image is its own upstream call when streaming, so call index = image index.
 * `images()` is what the job records at the end, in call order.
 *
 * Only storing a finished image can fail its call: a partial, or an announcement, that does not
 * make it is logged and skipped (the upstream was paid; the stream sends every finished image from
 * the job's record at the end anyway).
 */
export class StreamedImages {
  readonly #jobId: string;
  readonly #store: ObjectStore;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #byCall = new Map<number, { stored: StoredImage[]; result: ProviderImageResult }>();
  readonly #progressAt = new Map<number, number>();

  constructor(jobId: string, deps: { store: ObjectStore; redis: Redis; prefix: string; logger: Logger }) {
    this.#jobId = jobId;
    this.#store = deps.store;
    this.#redis = deps.redis;
    this.#prefix = deps.prefix;
    this.#logger = deps.logger;
  }

  readonly onPartialImage = async (call: number, image: ProviderImage, index: number): Promise<void> => {
    const key = partialKey(this.#jobId, call, index, image.mediaType);
    try {
      await this.#put(key, image);
      await appendJobProgress(this.#redis, this.#prefix, this.#jobId, {
        kind: 'partial_image',
        image: call,
        index,
        key,
        content_type: image.mediaType,
      });
    } catch (error) {
      this.#logger.warn({ err: error, call, index }, 'a partial image could not be stored or announced; skipped');
    }
  };

  readonly onCallDone = async (call: number, result: ProviderImageResult): Promise<void> => {
    const stored = await Promise.all(
      result.images.map(async (image, offset) => {
        const key = imageKey(this.#jobId, call + offset, image.mediaType);
        await this.#put(key, image);
        return { key, content_type: image.mediaType, bytes: image.bytes.byteLength };
      }),
    );
    // Kept without the bytes: only what the job records.
    this.#byCall.set(call, { stored, result: { ...result, images: [] } });
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
      }).catch((error: unknown) => {
        this.#logger.warn(
          { err: error, call },
          'a finished image could not be announced; the stream sends it at the end',
        );
      });
    }
  };

  /** Upstream progress (BFL's), announced for the stream to pass on as a comment; a lost one does not matter. */
  readonly onProgress = (call: number, message: string): void => {
    // At most one per image every 10 s: a comment, not a log of every poll.
    const now = Date.now();
    if (now - (this.#progressAt.get(call) ?? 0) < PROGRESS_EVERY_MS) return;
    this.#progressAt.set(call, now);
    appendJobProgress(this.#redis, this.#prefix, this.#jobId, {
      kind: 'progress',
      message: `image ${call + 1}: ${message}`,
    }).catch(() => {});
  };

  /** A conversing model's text as it comes, for the chat stream's `delta.content`; a lost piece is not retried. */
  readonly onTextDelta = (delta: string): void => {
    appendJobProgress(this.#redis, this.#prefix, this.#jobId, { kind: 'text', delta }).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'a piece of text could not be announced');
    });
  };

  /** The stored images of every call that succeeded, in call order. */
  images(): StoredImage[] {
    return [...this.#byCall].sort(([a], [b]) => a - b).flatMap(([, done]) => done.stored);
  }

  /**
   * What was delivered when the job was stopped (canceled, out of time) after some images had
   * been streamed: the client has those, so the job ends with them, charged for them alone.
   * Undefined when none was.
   */
  deliveredResult(reason: string): ProviderImageResult | undefined {
    const done = [...this.#byCall].sort(([a], [b]) => a - b).map(([, each]) => each.result);
    const [first] = done;
    if (first === undefined) return undefined;
    return {
      ...first,
      usage: undefined,
      warnings: [...new Set(done.flatMap((each) => each.warnings))].concat(
        `${reason} after ${this.images().length} image(s) had been streamed: the job ends with those, charged for them alone.`,
      ),
    };
  }

  async #put(key: string, image: ProviderImage): Promise<void> {
    await this.#store.putObject(key, image.bytes, {
      contentType: image.mediaType,
      contentLength: image.bytes.byteLength,
    });
  }
}
