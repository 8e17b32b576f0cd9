import type { GenerationParameters } from '@imagegate/contracts';
import type { FormatExtrasRequest } from './animation-and-vector.ts';
import type { RequestedQuality } from './legacy-openai-fields.ts';

/** The request fields the catalog narrows per model (a subset of the public request). */
export interface RequestedParameters extends FormatExtrasRequest {
  n?: number | undefined;
  size?: string | undefined;
  aspect_ratio?: string | undefined;
  /** `standard`/`hd` (DALL·E's) are mapped to the model's nearest quality, with a warning. */
  quality?: RequestedQuality | undefined;
  /**
   * An edit's first input image: without `size` or `aspect_ratio`, a model that cannot pick its own
   * size (`auto`) makes the size nearest this one's shape, as the upstreams do for edits.
   */
  followImage?: { width: number; height: number } | undefined;
  /** DALL·E 3's `style`: ignored, with a warning. */
  style?: string | undefined;
  background?: 'transparent' | 'opaque' | 'auto' | undefined;
  output_format?: GenerationParameters['outputFormat'] | undefined;
  output_compression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
  providerOptions?: Record<string, unknown> | undefined;
  /** The body field the options came in (`providerOptions` or `provider_options`), for error params. */
  providerOptionsField?: string | undefined;
}
