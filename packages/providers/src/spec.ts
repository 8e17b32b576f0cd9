import type { GenerationParameters } from '@imagegate/contracts';

/**
 * The provider adapter contract. An adapter turns normalised parameters into one upstream's wire
 * format and its answer back into image bytes, and maps that upstream's errors onto the core error
 * hierarchy (`retryable` decides whether the worker tries again).
 */

export interface ProviderImageRequest extends GenerationParameters {
  /** The model id the upstream knows (catalog `providerModel`). */
  providerModel: string;
  prompt: string;
  /** End-user id forwarded where the upstream takes one. */
  user?: string | undefined;
}

export interface ProviderImage {
  bytes: Uint8Array;
  /** e.g. `image/png`. */
  mediaType: string;
}

export interface ProviderImageResult {
  images: ProviderImage[];
  /** What the upstream actually applied (never `auto`). */
  size: string;
  quality: string;
  outputFormat: string;
  background: string;
  usage?: Record<string, unknown> | undefined;
  /** Options the upstream could not honour exactly, said rather than silently dropped. */
  warnings: string[];
}

export interface ImageProvider {
  /** The provider name, which is also its queue name suffix (`openai`). */
  readonly name: string;
  generate(request: ProviderImageRequest, options: { signal?: AbortSignal | undefined }): Promise<ProviderImageResult>;
}

export function mediaTypeOf(format: string): string {
  return format === 'jpeg' ? 'image/jpeg' : `image/${format}`;
}
