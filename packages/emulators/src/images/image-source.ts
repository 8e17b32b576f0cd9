import type { ImageSpec } from './image-spec.ts';
import { imageSpecKey } from './image-spec.ts';
import { PromiseLru } from './promise-lru.ts';
import { renderImage } from './render-image.ts';

/** An encoded image plus its base64 text, both kept so hot responses copy nothing. */
export interface RenderedImage {
  /** The encoded image file. */
  bytes: Buffer;
  /** `bytes` as base64, stored as ASCII bytes so it can be written to sockets without re-encoding. */
  base64: Buffer;
}

/** Cache limits for {@link ImageSource}. */
export interface ImageSourceOptions {
  /** Maximum cached images. Default 64. */
  maxEntries?: number;
  /** Maximum cached bytes (encoded + base64). Default 512 MiB, enough for ~25 padded 8 MiB images. */
  maxBytes?: number;
}

/** Renders emulated images on demand and keeps recent ones in a small LRU. */
export class ImageSource {
  readonly #cache: PromiseLru<RenderedImage>;

  constructor(options: ImageSourceOptions = {}) {
    this.#cache = new PromiseLru({
      maxEntries: options.maxEntries ?? 64,
      maxBytes: options.maxBytes ?? 512 * 1024 * 1024,
    });
  }

  /** The image for `spec`, rendered at most once while it stays cached. */
  get(spec: ImageSpec): Promise<RenderedImage> {
    return this.#cache.getOrCreate(
      imageSpecKey(spec),
      async () => {
        const bytes = await renderImage(spec);
        return { bytes, base64: Buffer.from(bytes.toString('base64'), 'latin1') };
      },
      (image) => image.bytes.length + image.base64.length,
    );
  }

  /** Cache counters, for tests and diagnostics. */
  cacheStats(): { hits: number; misses: number; entries: number } {
    return { hits: this.#cache.hits, misses: this.#cache.misses, entries: this.#cache.size };
  }
}
