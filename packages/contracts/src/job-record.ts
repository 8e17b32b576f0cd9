import { ERROR_CODES, isErrorCode, isErrorType } from '@imagegate/core';
import { z } from 'zod';
import { generationParametersSchema } from './generation-parameters.ts';

/**
 * The stored job, as zod schemas: every JSON column of a `jobs` row is parsed through these once,
 * where the row is read (`packages/db`), so no code downstream guesses at a field's type.
 *
 * A job has an `operation`. What differs between operations (the request as echoed, the parameters
 * the worker hands to the adapter) is a branch of `jobOperationSchema`, a union discriminated on
 * `operation`; `edit` and `chat` join it as branches of their own without touching `generate`.
 */

/** What the worker needs of the model serving a step, resolved from the catalog at submission. */
const servingModelSchema = z.object({
  /** The model id the upstream knows (catalog `providerModel`). */
  providerModel: z.string(),
  /** Which of the provider's APIs serves the model (`openai-images`, `vertex-imagen`, `gemini`, `bfl-flux`). */
  protocol: z.string(),
  /** Most images one upstream call may return; larger `n` is split into several calls. */
  imagesPerCall: z.int().min(1),
  /** How long the step may run once it starts (milliseconds); past it the job fails with 504. */
  deadlineMs: z.int().min(1),
  /** Said at submission about this step (deprecation, inexact mapping, fallbacks left out). */
  warnings: z.array(z.string()),
});

/** The parameters of one step of a generation: the request narrowed to the model, and the model. */
export const generateStepParametersSchema = generationParametersSchema.extend(servingModelSchema.shape);
export type GenerateStepParameters = z.infer<typeof generateStepParametersSchema>;

/**
 * A generation request as the job echoes it (`request` on the job resource): the client's fields
 * with the extensions normalised (one spelling of provider options, fallbacks by model id) and
 * `n`/`size` as resolved for the requested model.
 */
export const generateJobRequestSchema = z.object({
  model: z.string(),
  prompt: z.string(),
  n: z.int(),
  size: z.string(),
  quality: z.string().optional(),
  background: z.string().optional(),
  output_format: z.string().optional(),
  output_compression: z.int().optional(),
  moderation: z.string().optional(),
  response_format: z.enum(['url', 'b64_json']).optional(),
  user: z.string().optional(),
  aspect_ratio: z.string().optional(),
  stream: z.boolean().optional(),
  partial_images: z.int().optional(),
  providerOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /** The models tried after the requested one, in order (absent without fallbacks). */
  fallbacks: z.array(z.string()).optional(),
  webhook_url: z.string().optional(),
});
export type GenerateJobRequest = z.infer<typeof generateJobRequestSchema>;

/** One model a job may be served by, with the parameters resolved for it at submission. */
function routeEntrySchema<T extends z.ZodType>(parameters: T) {
  return z.object({ model: z.string(), provider: z.string(), parameters });
}

export const generateRouteEntrySchema = routeEntrySchema(generateStepParametersSchema);
export type GenerateRouteEntry = z.infer<typeof generateRouteEntrySchema>;

/** The `generate` branch: a prompt in, images out. */
export const generateOperationSchema = z.object({
  operation: z.literal('generate'),
  request: generateJobRequestSchema,
  /** Those of the step serving now, `route[route_index]` (the only step without fallbacks). */
  parameters: generateStepParametersSchema,
  /** Every step in order; empty without fallbacks. */
  route: z.array(generateRouteEntrySchema),
});

/**
 * An input image of an edit, as stored under the job (`jobs/<id>/inputs/<i>.<ext>`, `…/mask.png`):
 * what its bytes are (sniffed and decoded at intake, whatever the client called them) and their
 * fingerprint. The job resource shows it with a fresh presigned `url` instead of the key.
 */
export const inputImageSchema = z.object({
  key: z.string(),
  content_type: z.string(),
  width: z.int().min(1),
  height: z.int().min(1),
  bytes: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type InputImage = z.infer<typeof inputImageSchema>;

/** An edit request as the job echoes it: a generation's fields, its inputs, and `input_fidelity`. */
export const editJobRequestSchema = generateJobRequestSchema.extend({
  input_fidelity: z.enum(['high', 'low']).optional(),
  /** In order; the first is the one a mask applies to. */
  images: z.array(inputImageSchema).min(1),
  /** OpenAI's convention: a PNG the first image's size, alpha 0 where to change. */
  mask: inputImageSchema.optional(),
});
export type EditJobRequest = z.infer<typeof editJobRequestSchema>;

/** The `edit` branch: images and a prompt in, images out. Steps are a generation's, with the inputs on the request. */
export const editOperationSchema = z.object({
  operation: z.literal('edit'),
  request: editJobRequestSchema,
  parameters: generateStepParametersSchema,
  route: z.array(generateRouteEntrySchema),
});

/**
 * A chat completion as the job echoes it: the image request it became (the last user message's
 * text is the prompt, its images the inputs, as an edit), the conversation as text (images by
 * count: their bytes are in the object store, never here), and how to answer.
 */
export const chatJobRequestSchema = generateJobRequestSchema.extend({
  messages: z.array(z.object({ role: z.string(), text: z.string(), images: z.int().min(0) })),
  images: z.array(inputImageSchema).optional(),
  include_usage: z.boolean().optional(),
  /** `["image"]`: no words from a conversing model, only its images. */
  modalities: z.array(z.enum(['image', 'text'])).optional(),
  /** Standard chat parameters that were sent and mean nothing to an image model. */
  ignored: z.array(z.string()).optional(),
});
export type ChatJobRequest = z.infer<typeof chatJobRequestSchema>;

/** The `chat` branch: a conversation in, an assistant message with images out. */
export const chatOperationSchema = z.object({
  operation: z.literal('chat'),
  request: chatJobRequestSchema,
  parameters: generateStepParametersSchema,
  route: z.array(generateRouteEntrySchema),
});

/** What differs between operations. */
export const jobOperationSchema = z.discriminatedUnion('operation', [
  generateOperationSchema,
  editOperationSchema,
  chatOperationSchema,
]);
export type JobOperation = z.infer<typeof jobOperationSchema>;
export type OperationName = JobOperation['operation'];

const microsSchema = z.string().regex(/^\d+$/);

/** Per image: micro-USD by output pixels and quality (`rule` is absent on jobs from before rules). */
const frozenPerImageSchema = z.object({
  rule: z.literal('per_image').optional(),
  tiers: z.array(
    z.object({
      maxPixels: z.number(),
      micros: z.partialRecord(z.enum(['low', 'medium', 'high', 'xhigh', 'max', 'default']), microsSchema),
    }),
  ),
});

/** Per megapixel (BFL): the first output megapixel, each further one started, and this request's input megapixels. */
const frozenPerMegapixelSchema = z.object({
  rule: z.literal('per_megapixel'),
  /** Pixels in a megapixel. */
  megapixel: z.int(),
  firstMicros: microsSchema,
  extraMicros: microsSchema,
  /** Per input megapixel, for the upstream cost of what the upstream reports. */
  inputMegapixelMicros: microsSchema,
  /** What this request's input images cost per image, quoted at submission. */
  inputMicros: microsSchema,
});

/** Per token (OpenAI, Gemini): the model's rates and output-token rule, and this request's input cost. */
const frozenPerTokenSchema = z.object({
  rule: z.literal('per_token'),
  /** Micro-USD per token (= USD per million tokens). */
  rates: z.object({ textInput: z.number(), imageInput: z.number(), imageOutput: z.number() }),
  output: z.discriminatedUnion('formula', [
    z.object({ formula: z.literal('openai-tiles'), qualityFactors: z.record(z.string(), z.int()) }),
    z.object({
      formula: z.literal('pixel-tiers'),
      tiers: z.array(z.object({ maxPixels: z.number(), tokens: z.int() })),
    }),
  ]),
  /** What this request's prompt and input images cost per image, quoted at submission. */
  inputMicros: microsSchema,
});

/**
 * A model's prices as frozen on a job at submission, by the rule its upstream bills by: settlement
 * charges what was made (output size and quality) from these, whatever the catalog says later.
 */
export const frozenPricesSchema = z.union([frozenPerTokenSchema, frozenPerMegapixelSchema, frozenPerImageSchema]);
export type FrozenPrices = z.infer<typeof frozenPricesSchema>;

/** The frozen prices of every model that may serve a job, by model id. */
export const jobPricesSchema = z.record(z.string(), frozenPricesSchema);

/**
 * A task an asynchronous upstream (BFL) accepted: recorded on the job so a redelivered job polls it
 * again instead of paying for a second one.
 */
export const upstreamTaskSchema = z.object({
  id: z.string(),
  /** Polled exactly as the upstream returned it (it may name another regional host). */
  pollingUrl: z.string(),
  /** Epoch ms of the submission (result URLs expire ~10 minutes after completion). */
  submittedAt: z.number(),
});
export type UpstreamTask = z.infer<typeof upstreamTaskSchema>;

/** Upstream tasks in flight, by call index (`"0"`, `"1"` …). */
export const upstreamTasksSchema = z.record(z.string(), upstreamTaskSchema);

/** An image of a job, stored in the object store under a key derived from the job id and the image index. */
export const storedImageSchema = z.object({ key: z.string(), content_type: z.string(), bytes: z.number() });
export type StoredImage = z.infer<typeof storedImageSchema>;

const tokenCount = z.number().nonnegative();

/**
 * What the upstream reported it used, kept on the job so its cost to us can be computed: token
 * usage in OpenAI's names (Gemini's counts are mapped to them), with OpenAI's `svg_usage` (the SVG
 * author model's tokens), and BFL's `cost` (credits, 1 = USD 0.01), `input_mp` and `output_mp`.
 * Every field is optional: each upstream reports some.
 */
export const imageUsageSchema = z.looseObject({
  input_tokens: tokenCount.optional(),
  input_tokens_details: z
    .looseObject({ text_tokens: tokenCount.optional(), image_tokens: tokenCount.optional() })
    .optional(),
  output_tokens: tokenCount.optional(),
  output_tokens_details: z
    .looseObject({ text_tokens: tokenCount.optional(), image_tokens: tokenCount.optional() })
    .optional(),
  total_tokens: tokenCount.optional(),
  svg_usage: z.looseObject({ input_tokens: tokenCount.optional(), output_tokens: tokenCount.optional() }).optional(),
  cost: z.number().nonnegative().optional(),
  input_mp: z.number().nonnegative().optional(),
  output_mp: z.number().nonnegative().optional(),
});
export type ImageUsage = z.infer<typeof imageUsageSchema>;

/** What the upstream said about the images, kept for the response body. */
export const jobResultSchema = z.object({
  created: z.number(),
  size: z.string(),
  quality: z.string(),
  output_format: z.string(),
  background: z.string(),
  usage: imageUsageSchema.optional(),
  /** What the upstream calls could not honour exactly. */
  warnings: z.array(z.string()).optional(),
  /** What a conversing model (chat on Gemini) said beside its images. */
  text: z.string().optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/** One try of one model, as the job's routing log keeps it. */
export const routingAttemptSchema = z.object({
  provider: z.string(),
  model: z.string(),
  /** `rate_limited`: a 429 with Retry-After sent the job back to its queue (no attempt spent). */
  status: z.enum(['succeeded', 'failed', 'rate_limited']),
  /** Our error code (the closed list) when the attempt failed; anything else reads as none. */
  error_code: z.enum(ERROR_CODES).nullish().catch(null),
  /** The upstream's own error code, when it gave one. */
  upstream_code: z.string().nullish(),
  duration_ms: z.number().optional(),
});
export type RoutingAttempt = z.infer<typeof routingAttemptSchema>;

export const jobRoutingSchema = z.object({ attempts: z.array(routingAttemptSchema) });

/** The OpenAI error object a failed job keeps. */
export const storedErrorSchema = z.object({
  message: z.string(),
  // Written by us from the closed lists; anything else reads as a server error without a code.
  type: z.string().transform((type) => (isErrorType(type) ? type : 'server_error')),
  param: z.string().nullable(),
  code: z
    .string()
    .nullable()
    .transform((code) => (isErrorCode(code) ? code : null)),
});

export const jobMetadataSchema = z.record(z.string(), z.string());
