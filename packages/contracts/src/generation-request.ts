import { z } from 'zod';
import { fallbacksFieldSchema, generationExtraSchema, webhookUrlFieldSchema } from './generation-extra.ts';

/** OpenAI treats an explicit `null` as "absent"; so do we. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

/**
 * An option name. Names that are (or camelCase to) members of `Object.prototype` (`constructor`,
 * `has_own_property`…) are never options, and plain-object lookups would find the prototype's.
 */
const optionNameSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (name) => !(name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()) in Object.prototype),
    'not an option name',
  );

/** `{ "<provider>": { "<option>": value } }`; each provider's options are checked against the model. */
const providerOptionsSchema = z
  .record(optionNameSchema, z.record(optionNameSchema, z.unknown()))
  .refine((options) => Object.keys(options).length <= 8, 'at most 8 providers');

/**
 * `POST /v1/images/generations` body: OpenAI's fields plus our extensions. Unknown fields are
 * refused (`unknown_parameter`) rather than silently ignored. Per-model narrowing (sizes, n, formats)
 * happens against the catalog, not here.
 */
export const generationRequestSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    prompt: z
      .string()
      .max(32_000)
      .refine((prompt) => prompt.trim().length > 0, 'must not be empty'),
    n: optional(z.int().min(1).max(10)),
    size: optional(z.string().max(32)),
    quality: optional(z.enum(['low', 'medium', 'high', 'auto'])),
    background: optional(z.enum(['transparent', 'opaque', 'auto'])),
    output_format: optional(z.enum(['png', 'jpeg', 'webp'])),
    output_compression: optional(z.int().min(0).max(100)),
    moderation: optional(z.enum(['low', 'auto'])),
    response_format: optional(z.enum(['url', 'b64_json'])),
    user: optional(z.string().max(256)),
    webhook_url: optional(webhookUrlFieldSchema),
    extra: optional(generationExtraSchema),
    fallbacks: optional(fallbacksFieldSchema),
    stream: optional(z.literal(false)),
    partial_images: optional(z.literal(0)),
    aspect_ratio: optional(z.string().regex(/^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$/, 'must look like 16:9')),
    providerOptions: optional(providerOptionsSchema),
    provider_options: optional(providerOptionsSchema),
    metadata: optional(
      z
        .record(z.string().min(1).max(64), z.string().max(512))
        .refine((metadata) => Object.keys(metadata).length <= 16, 'at most 16 pairs'),
    ),
  })
  .strict()
  .refine((body) => body.providerOptions === undefined || body.provider_options === undefined, {
    message: "give either 'providerOptions' or 'provider_options', not both",
    path: ['provider_options'],
  })
  .refine((body) => body.fallbacks === undefined || body.extra?.fallbacks === undefined, {
    message: 'give fallbacks once: at the top level or in extra, not both',
    path: ['extra', 'fallbacks'],
  });

export type GenerationRequest = z.output<typeof generationRequestSchema>;
