import { z } from 'zod';
import { checkExtensionsGivenOnce, extensionFields, optional, splitExtensions } from './request-extensions.ts';

/**
 * `POST /v1/images/generations` body as sent: OpenAI's fields plus our extensions. Unknown fields
 * are refused (`unknown_parameter`) rather than silently ignored. Per-model narrowing (sizes, n,
 * formats) happens against the catalog, not here.
 */
/** The fields generations and edits share: OpenAI's, and our extensions. */
export const imageRequestFields = {
  /** Not trimmed: the catalog refuses a name with whitespace rather than guess (`catalog.resolve`). */
  model: z.string().min(1).max(200),
  prompt: z
    .string()
    .max(32_000)
    .refine((prompt) => prompt.trim().length > 0, 'must not be empty'),
  n: optional(z.int().min(1).max(10)),
  size: optional(z.string().max(32)),
  /** `standard` and `hd` are DALL·E's: mapped to the model's nearest quality, with a warning. */
  quality: optional(z.enum(['low', 'medium', 'high', 'xhigh', 'max', 'auto', 'standard', 'hd'])),
  background: optional(z.enum(['transparent', 'opaque', 'auto'])),
  output_format: optional(z.enum(['png', 'jpeg', 'webp', 'gif', 'svg'])),
  output_compression: optional(z.int().min(0).max(100)),
  moderation: optional(z.enum(['low', 'auto'])),
  complexity: optional(z.enum(['low', 'medium', 'high'])),
  frame_count: optional(z.int().min(2).max(16)),
  frame_duration_ms: optional(z.int().min(10).max(655_350)),
  svg: optional(
    z
      .object({
        model: z.string().max(200).optional(),
        reasoning: z
          .object({ effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']) })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  safety_identifier: optional(z.string().max(256)),
  response_format: optional(z.enum(['url', 'b64_json'])),
  user: optional(z.string().max(256)),
  /** Answer as `text/event-stream` with OpenAI's image stream events. */
  stream: optional(z.boolean()),
  /** Rough versions sent while the image renders, on models that stream them (0–3). */
  partial_images: optional(z.int().min(0).max(3)),
  aspect_ratio: optional(z.string().regex(/^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$/, 'must look like 16:9')),
  ...extensionFields,
};

const generationBodySchema = z
  .object({
    ...imageRequestFields,
    /** DALL·E 3's; ignored with a warning (LangChain's DallEAPIWrapper always sends it). */
    style: optional(z.enum(['vivid', 'natural'])),
  })
  .strict()
  .superRefine(checkExtensionsGivenOnce);

/**
 * The generation request, checked and normalised: OpenAI's fields as sent, our extensions in one
 * spelling each (see `NormalisedExtensions`).
 */
export const generationRequestSchema = generationBodySchema.transform((body) => {
  const { fields, extensions } = splitExtensions(body);
  return { ...fields, ...extensions };
});

export type GenerationRequest = z.output<typeof generationRequestSchema>;
