/**
 * A request narrowed to one model: every field decided and validated against the catalog. Stored on
 * the job at submission; the worker hands it to the provider adapter.
 */
export interface GenerationParameters {
  n: number;
  /** `WxH`, or `auto` when the model picks. */
  size: string;
  quality: 'low' | 'medium' | 'high' | 'auto';
  background: 'transparent' | 'opaque' | 'auto';
  outputFormat: 'png' | 'jpeg' | 'webp';
  outputCompression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
}
