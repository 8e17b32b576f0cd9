import { z } from 'zod';

/**
 * Google's provider options (`providerOptions.googleVertex.*` on the public API): every option any
 * Google model may take. The catalog validates a request's options through this schema and keeps
 * only those the model's catalog entry lists, so the adapter reads them as they come.
 */
export const googleOptionsSchema = z.object({
  /** Sent to Imagen as `safetySetting`. */
  safetyFilterLevel: z.enum([
    'block_low_and_above',
    'block_medium_and_above',
    'block_only_high',
    'block_none',
    'block_most',
    'block_some',
    'block_few',
    'block_fewest',
  ]),
  /** Imagen, and Gemini on Vertex only. */
  personGeneration: z.enum(['dont_allow', 'allow_adult', 'allow_all']),
  /** Imagen honours it only with `addWatermark: false` (the catalog asks for both). */
  seed: z.int().min(0).max(4_294_967_295),
  addWatermark: z.boolean(),
  enhancePrompt: z.boolean(),
  negativePrompt: z.string().max(2000),
  language: z.enum(['auto', 'en', 'zh', 'zh-CN', 'zh-TW', 'hi', 'ja', 'ko', 'pt', 'es']),
});

/** The options a request carries: any subset, already validated by the catalog. */
export type GoogleOptions = Partial<z.output<typeof googleOptionsSchema>>;

/** The options of a request as the catalog validated them. */
export function googleOptionsOf(providerOptions: Record<string, unknown> | undefined): GoogleOptions {
  // The catalog parsed these through googleOptionsSchema at submission; checking again would be a second rule book.
  return (providerOptions ?? {}) as GoogleOptions;
}

/** The public name of an option, as error `param`s give it. */
export function optionParam(name: string): string {
  return `providerOptions.google.${name}`;
}
