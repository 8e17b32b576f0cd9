import { z } from 'zod';

const sizeString = z.string().regex(/^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/);
const aspectRatioString = z.string().regex(/^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$/);

/** A model that takes only a listed set of `WxH` sizes. */
const fixedSizesSchema = z.object({
  mode: z.literal('fixed'),
  values: z.array(sizeString).min(1),
  /** Whether `size: "auto"` is passed through to the upstream (else it becomes `default`). */
  auto: z.boolean(),
  default: sizeString,
});

/** A model that takes any `WxH` within limits (gpt-image-2, FLUX.2). */
const freeSizesSchema = z.object({
  mode: z.literal('free'),
  multipleOf: z.int().positive(),
  minEdge: z.int().positive().optional(),
  maxEdge: z.int().positive(),
  maxAspectRatio: z.number().min(1),
  minPixels: z.int().positive(),
  maxPixels: z.int().positive(),
  auto: z.boolean(),
  default: sizeString,
});

/**
 * A model sized by aspect ratio and a resolution class (Imagen, Gemini, Kontext): each supported
 * combination with the `WxH` it produces, so `size` and `aspect_ratio` both map to the upstream form.
 */
const aspectSizesSchema = z.object({
  mode: z.literal('aspect'),
  options: z
    .array(z.object({ aspectRatio: aspectRatioString, imageSize: z.string().optional(), size: sizeString }))
    .min(1),
  /** The resolution class `aspect_ratio` alone picks (`1K`); absent for models without one. */
  defaultImageSize: z.string().optional(),
  auto: z.literal(false),
  default: sizeString,
});

/** Bounds of a numeric provider option; `{}` for options without any. */
const optionBoundsSchema = z.object({ min: z.number().optional(), max: z.number().optional() });

/** How a model edits: how many input images it takes, whether it takes a mask, and their limits. */
export const editCapabilitiesSchema = z.object({
  /** Most input images one request may send (OpenAI 16, FLUX.2 8, Kontext 4, Fill 1). */
  maxInputImages: z.int().min(1).max(16),
  /** Takes a mask (OpenAI's convention at our API, converted per upstream); else a mask is a 400. */
  mask: z.boolean(),
  /** Most pixels of one input image (width × height); a larger one is a 400 naming the part. */
  maxInputPixels: z.int().positive().default(50_000_000),
  /** Takes OpenAI's `input_fidelity`; elsewhere it is ignored with a warning. */
  inputFidelity: z.boolean().default(false),
  /** The output has the first input's size whatever is asked (BFL Fill); `size` is ignored with a warning. */
  keepsInputSize: z.boolean().default(false),
});

export const modelCapabilitiesSchema = z.object({
  sizes: z.discriminatedUnion('mode', [fixedSizesSchema, freeSizesSchema, aspectSizesSchema]),
  /** Most images one gateway request may ask for. */
  maxImagesPerRequest: z.int().min(1).max(10),
  /** Most images one upstream call makes; a larger `n` is split into several calls. */
  maxImagesPerCall: z.int().min(1).max(10),
  /** In order of effort; `xhigh` and `max` exist on gpt-image-2.5 and later. */
  qualities: z.array(z.enum(['low', 'medium', 'high', 'xhigh', 'max', 'auto'])).min(1),
  /** The first that is `png` is the default (OpenAI's); `gif` and `svg` are gpt-image-2.6's. */
  outputFormats: z.array(z.enum(['png', 'jpeg', 'webp', 'gif', 'svg'])).min(1),
  transparentBackground: z.boolean(),
  outputCompression: z.boolean(),
  moderation: z.boolean(),
  /** Takes OpenAI's `complexity` (planning effort): gpt-image-2.6. */
  complexity: z.boolean().default(false),
  /** What the model takes on `POST /v1/images/edits`; `false` for a model that cannot edit. */
  edits: z.union([z.literal(false), editCapabilitiesSchema]),
  /** Makes images only from an input image (BFL Fill): `/v1/images/generations` refuses it. */
  editsOnly: z.boolean().default(false),
  /** `providerOptions` this model takes (camelCase names, see provider-options.ts), with bounds. */
  providerOptions: z.record(z.string(), optionBoundsSchema).default({}),
});

/**
 * Dates, not a status: a model turns deprecated and then retired by the calendar, so a catalog
 * written today stays right. `status` forces one (an operator pulling a model early).
 */
export const modelLifecycleSchema = z.object({
  status: z.enum(['active', 'deprecated', 'retired']).optional(),
  deprecatedAt: z.iso.date().optional(),
  retiresAt: z.iso.date().optional(),
  replacement: z.string().optional(),
  /** Why, with the source (shown in warnings and on `/v1/models`). */
  note: z.string().optional(),
});

/** Per-image list prices in USD by quality (`default` for models without a quality knob), up to `maxPixels`. */
export const priceTierSchema = z.object({
  maxPixels: z.int().positive(),
  usd: z.partialRecord(z.enum(['low', 'medium', 'high', 'xhigh', 'max', 'default']), z.number().nonnegative()),
});

/** Priced per image from a table by output pixels and quality (Kontext, FLUX1.1, Imagen). */
const perImagePricingSchema = z.object({
  rule: z.literal('per_image').default('per_image'),
  note: z.string().optional(),
  tiers: z.array(priceTierSchema).min(1),
});

/**
 * Priced per megapixel as BFL bills FLUX.2: the first output megapixel, each further one started,
 * and each input megapixel (edits), in USD.
 */
const perMegapixelPricingSchema = z.object({
  rule: z.literal('per_megapixel'),
  note: z.string().optional(),
  /**
   * Pixels in a megapixel (default 1,048,576, so that 1024×1024, which BFL prices as "1 MP", is
   * one). BFL does not say; a further megapixel started counts whole, erring on the dear side.
   */
  megapixel: z.int().positive().default(1_048_576),
  firstMegapixelUsd: z.number().nonnegative(),
  extraMegapixelUsd: z.number().nonnegative(),
  inputMegapixelUsd: z.number().nonnegative(),
});

/** USD per million tokens (= micro-USD per token). */
export const tokenRatesSchema = z.object({
  textInput: z.number().nonnegative(),
  imageInput: z.number().nonnegative(),
  imageOutput: z.number().nonnegative(),
});

/**
 * How many image output tokens one image takes. `openai-tiles`: OpenAI's calculator formula, with
 * a factor per quality (16/48/96 for low/medium/high on gpt-image-2, see token-formula.ts).
 * `pixel-tiers`: a count per resolution class (Gemini), by the image's pixel count.
 */
export const outputTokensSchema = z.discriminatedUnion('formula', [
  z.object({
    formula: z.literal('openai-tiles'),
    qualityFactors: z.partialRecord(z.enum(['low', 'medium', 'high', 'xhigh', 'max']), z.int().positive()),
  }),
  z.object({
    formula: z.literal('pixel-tiers'),
    tiers: z.array(z.object({ maxPixels: z.int().positive(), tokens: z.int().positive() })).min(1),
  }),
]);

/** Priced per token as OpenAI and Gemini bill: output tokens for the size and quality, plus the input's. */
const perTokenPricingSchema = z.object({
  rule: z.literal('per_token'),
  note: z.string().optional(),
  rates: tokenRatesSchema,
  output: outputTokensSchema,
});

/** The rule the model's upstream bills by, and its rates: data, so an operator's catalog can change them. */
export const modelPricingSchema = z.union([perTokenPricingSchema, perMegapixelPricingSchema, perImagePricingSchema]);

export const catalogModelSchema = z.object({
  id: z.string().min(1),
  owner: z.string().min(1),
  provider: z.string().min(1),
  /** Which of the provider's APIs serves it: `openai-images`, `vertex-imagen`, `gemini`, `bfl-flux`. */
  protocol: z.string().min(1),
  providerModel: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  description: z.string().default(''),
  capabilities: modelCapabilitiesSchema,
  lifecycle: modelLifecycleSchema.default({}),
  /**
   * How long a job on this model may run, from its first start, before it fails with 504 `timeout`
   * (and costs nothing). `slowSeconds` applies to slow renders: `quality: high` or 4 MP and more.
   */
  deadline: z
    .object({ seconds: z.int().positive(), slowSeconds: z.int().positive().optional() })
    .default({ seconds: 180 }),
  /** Models tried in order when this one fails, after the request's own `fallbacks` (those that can honour it). */
  fallbacks: z.array(z.string()).default([]),
  pricing: modelPricingSchema,
});

/** A model that is gone: kept so a request naming it learns what replaced it. */
export const retiredModelSchema = z.object({
  id: z.string().min(1),
  owner: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  retiredAt: z.iso.date(),
  replacement: z.string().optional(),
  note: z.string().optional(),
});

export const catalogFileSchema = z.object({
  models: z.array(catalogModelSchema),
  retired: z.array(retiredModelSchema).default([]),
});

export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type RetiredModel = z.infer<typeof retiredModelSchema>;
export type ModelCapabilities = z.infer<typeof modelCapabilitiesSchema>;
export type EditCapabilities = z.infer<typeof editCapabilitiesSchema>;
export type ModelLifecycle = z.infer<typeof modelLifecycleSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
export type ModelPricing = z.infer<typeof modelPricingSchema>;
export type TokenRates = z.infer<typeof tokenRatesSchema>;
export type OutputTokens = z.infer<typeof outputTokensSchema>;
