import { z } from 'zod';
import { imageRequestFields } from './generation-request.ts';
import { checkExtensionsGivenOnce, normaliseExtensions, optional } from './request-extensions.ts';

/**
 * `POST /v1/images/edits` fields besides the images: a generation's fields and OpenAI's
 * `input_fidelity`. In a JSON body `images` and `mask` sit beside them; they are read (and their
 * bytes stored) by the ingress's intake, so this schema only lets them through. Unknown fields are
 * refused as on generations.
 */
const editBodySchema = z
  .object({
    ...imageRequestFields,
    input_fidelity: optional(z.enum(['high', 'low'])),
    images: z.unknown().optional(),
    mask: z.unknown().optional(),
  })
  .strict()
  .superRefine(checkExtensionsGivenOnce);

/** The edit request's fields, checked and normalised like a generation's (images aside). */
export const editRequestSchema = editBodySchema.transform(
  ({
    webhook_url,
    extra,
    fallbacks,
    providerOptions,
    provider_options,
    metadata,
    stream,
    partial_images,
    images: _images,
    mask: _mask,
    ...openai
  }) => ({
    ...openai,
    ...normaliseExtensions({ webhook_url, extra, fallbacks, providerOptions, provider_options, metadata }),
  }),
);

export type EditRequest = z.output<typeof editRequestSchema>;

/** Multipart text fields that carry numbers or booleans (OpenAI's SDKs send every value as text). */
const NUMERIC_FIELDS = new Set(['n', 'output_compression', 'frame_count', 'frame_duration_ms', 'partial_images']);
const BOOLEAN_FIELDS = new Set(['stream']);

/**
 * A multipart form's text fields as the JSON body they stand for: numeric and boolean fields
 * decoded from their text (a value that is not a number stays text, so the schema names it), every
 * other field as sent. Object-valued extensions arrive JSON-encoded and are decoded by the reader.
 */
export function multipartFieldsAsBody(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => {
      if (typeof value !== 'string') return [name, value];
      if (NUMERIC_FIELDS.has(name) && /^-?\d+$/.test(value.trim())) return [name, Number(value)];
      if (BOOLEAN_FIELDS.has(name) && (value === 'true' || value === 'false')) return [name, value === 'true'];
      return [name, value];
    }),
  );
}
