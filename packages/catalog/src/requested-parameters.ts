/** The request fields the catalog narrows per model (a subset of the public request). */
export interface RequestedParameters {
  n?: number | undefined;
  size?: string | undefined;
  aspect_ratio?: string | undefined;
  quality?: 'low' | 'medium' | 'high' | 'auto' | undefined;
  background?: 'transparent' | 'opaque' | 'auto' | undefined;
  output_format?: 'png' | 'jpeg' | 'webp' | undefined;
  output_compression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
  providerOptions?: Record<string, unknown> | undefined;
  /** The body field the options came in (`providerOptions` or `provider_options`), for error params. */
  providerOptionsField?: string | undefined;
}
