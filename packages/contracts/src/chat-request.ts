import { InvalidRequestError } from '@imagegate/core';
import { z } from 'zod';
import { checkExtensionsGivenOnce, extensionFields, optional, splitExtensions } from './request-extensions.ts';

/** A text part of a chat message. */
const textPartSchema = z.object({ type: z.literal('text'), text: z.string().max(32_000) });

/** An image part: a `data:` URL or an `https://` URL the gateway fetches through its SSRF guard. */
const imagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: optional(z.enum(['auto', 'low', 'high'])) }),
});

const contentSchema = z.union([
  z.string().max(32_000),
  z.array(z.discriminatedUnion('type', [textPartSchema, imagePartSchema])).max(64),
]);

/** An assistant turn may carry the images it made (OpenRouter's `images`), sent back in a conversation. */
const assistantImagesSchema = z.array(imagePartSchema).max(16);

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: contentSchema, name: optional(z.string()) }),
  z.object({ role: z.literal('developer'), content: contentSchema, name: optional(z.string()) }),
  z.object({ role: z.literal('user'), content: contentSchema, name: optional(z.string()) }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([contentSchema, z.null()]).optional(),
    images: optional(assistantImagesSchema),
    name: optional(z.string()),
  }),
]);
export type ChatMessage = z.infer<typeof messageSchema>;

/**
 * Standard chat parameters an image model cannot honour and that change what the answer means:
 * refused (400 `unsupported_parameter`) rather than ignored.
 */
const MEANING_CHANGING = ['tools', 'tool_choice', 'functions', 'function_call', 'logprobs', 'top_logprobs'] as const;

/**
 * `POST /v1/chat/completions` as chat clients send it (OpenAI's fields, OpenRouter's `modalities`
 * and `image_config`) plus our extensions. Standard chat parameters an image model has no use for
 * (`frequency_penalty`, `stop`, …) are let through and reported as ignored.
 */
const chatBodySchema = z
  .looseObject({
    model: z.string().min(1).max(200),
    messages: z.array(messageSchema).min(1).max(256),
    modalities: optional(z.array(z.enum(['image', 'text'])).min(1)),
    image_config: optional(
      z
        .object({
          aspect_ratio: optional(z.string().regex(/^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$/, 'must look like 16:9')),
          image_size: optional(z.string().max(16)),
          /** Our extension: `url` answers with presigned URLs instead of `data:` URLs. */
          response_format: optional(z.enum(['url', 'b64_json'])),
        })
        .strict(),
    ),
    stream: optional(z.boolean()),
    stream_options: optional(z.object({ include_usage: optional(z.boolean()) }).loose()),
    n: optional(z.int().min(1).max(10)),
    max_tokens: optional(z.int().min(1)),
    max_completion_tokens: optional(z.int().min(1)),
    temperature: optional(z.number().min(0).max(2)),
    top_p: optional(z.number().min(0).max(1)),
    seed: optional(z.int()),
    user: optional(z.string().max(256)),
    size: optional(z.string().max(32)),
    response_format: optional(z.looseObject({ type: z.string() })),
    ...extensionFields,
  })
  .superRefine(checkExtensionsGivenOnce);

export const chatRequestSchema = chatBodySchema.transform((body) => {
  const {
    model,
    messages,
    modalities,
    image_config,
    stream,
    stream_options,
    n,
    user,
    size,
    response_format: _responseFormat,
    ...rest
  } = body;
  // Known chat parameters with no meaning for an image model, and anything unknown: said, not used.
  const ignored = Object.keys(rest).filter(
    (key) => !Object.hasOwn(extensionFields, key) && rest[key] !== undefined && rest[key] !== null,
  );
  return {
    model,
    messages,
    modalities,
    imageConfig: image_config,
    stream,
    includeUsage: stream_options?.include_usage === true,
    n,
    user,
    size,
    ignored,
    ...splitExtensions(body).extensions,
  };
});
export type ChatRequest = z.output<typeof chatRequestSchema>;

/**
 * Refuses, before anything else is read, a chat body asking for what an image model cannot give:
 * tools, a JSON response format, log probabilities (400 `unsupported_parameter` naming it).
 */
export function refuseMeaningChanging(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const fields = new Map(Object.entries(body));
  for (const name of MEANING_CHANGING) {
    const value = fields.get(name);
    if (value !== undefined && value !== null && value !== false) throw unsupported(name);
  }
  const format = fields.get('response_format');
  if (typeof format === 'object' && format !== null && 'type' in format && format.type !== 'text') {
    throw unsupported('response_format');
  }
}

function unsupported(param: string): InvalidRequestError {
  return new InvalidRequestError(
    `'${param}' is not supported: imagegate answers with images (and a short text), not tool calls, JSON or log probabilities.`,
    { param, code: 'unsupported_parameter' },
  );
}
