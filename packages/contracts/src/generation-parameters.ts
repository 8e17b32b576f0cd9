/**
 * A request narrowed to one model: every field decided and validated against the catalog. Stored on
 * the job at submission; the worker hands it to the provider adapter.
 */
export interface GenerationParameters {
  n: number;
  /** `WxH`, or `auto` when the model picks. */
  size: string;
  /**
   * The upstream's own form of `size` for models sized by aspect ratio (Imagen, Gemini, Kontext):
   * e.g. `16:9`. Absent for models that take `WxH`.
   */
  aspectRatio?: string | undefined;
  /** With `aspectRatio`, the upstream's resolution class where it has one (`1K`, `2K`, `4K`). */
  imageSize?: string | undefined;
  quality: 'low' | 'medium' | 'high' | 'auto';
  background: 'transparent' | 'opaque' | 'auto';
  outputFormat: 'png' | 'jpeg' | 'webp';
  outputCompression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
  /**
   * Options for this model's provider only, validated at submission against that provider's
   * schema, camelCase keys (e.g. `{ safetyTolerance: 2, seed: 7 }` for BFL).
   */
  providerOptions?: Record<string, unknown> | undefined;
}
