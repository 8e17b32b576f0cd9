import { z } from 'zod';

/**
 * A request narrowed to one model: every field decided and validated against the catalog. Stored on
 * the job at submission (with what the worker needs of the model, see `generateStepParametersSchema`);
 * the worker hands it to the provider adapter.
 */
export const generationParametersSchema = z.object({
  n: z.int().min(1),
  /** `WxH`, or `auto` when the model picks. */
  size: z.string(),
  /**
   * The upstream's own form of `size` for models sized by aspect ratio (Imagen, Gemini, Kontext):
   * e.g. `16:9`. Absent for models that take `WxH`.
   */
  aspectRatio: z.string().optional(),
  /** With `aspectRatio`, the upstream's resolution class where it has one (`1K`, `2K`, `4K`). */
  imageSize: z.string().optional(),
  quality: z.enum(['low', 'medium', 'high', 'xhigh', 'max', 'auto']),
  background: z.enum(['transparent', 'opaque', 'auto']),
  outputFormat: z.enum(['png', 'jpeg', 'webp', 'gif', 'svg']),
  outputCompression: z.int().optional(),
  moderation: z.enum(['low', 'auto']).optional(),
  /** Planning effort, independent of `quality` (gpt-image-2.6); absent: the model's default. */
  complexity: z.enum(['low', 'medium', 'high']).optional(),
  /** GIF only: frames in the loop (2–16) and milliseconds each shows. */
  frameCount: z.int().optional(),
  frameDurationMs: z.int().optional(),
  /** SVG only: OpenAI's `svg` object (`{model, reasoning: {effort}}`), passed through. */
  svg: z.record(z.string(), z.unknown()).optional(),
  /** Edits on models that take it (OpenAI's `input_fidelity`): how closely to keep the input's features. */
  inputFidelity: z.enum(['high', 'low']).optional(),
  /** A hashed end-user id, forwarded to OpenAI (which prefers it to `user`). */
  safetyIdentifier: z.string().optional(),
  /**
   * Options for this model's provider only, validated at submission against that provider's
   * schema, camelCase keys (e.g. `{ safetyTolerance: 2, seed: 7 }` for BFL).
   */
  providerOptions: z.record(z.string(), z.unknown()).optional(),
});
export type GenerationParameters = z.infer<typeof generationParametersSchema>;
