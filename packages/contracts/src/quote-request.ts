import { z } from 'zod';
import { imageRequestFields } from './generation-request.ts';
import { checkExtensionsGivenOnce, optional, splitExtensions } from './request-extensions.ts';

/** An input image of a quoted edit: only its size matters to the price. */
const inputImageSizeSchema = z
  .object({ width: z.int().min(1).max(100_000), height: z.int().min(1).max(100_000) })
  .strict();

/**
 * `POST /v1/images/quote` body: a generation's or an edit's fields as they would be sent (the prompt
 * optional: without it a token-priced model's prompt is not priced), which operation, and for an
 * edit the sizes of its input images and whether a mask comes with them (the mask has the first
 * image's size, as the edit endpoint requires).
 */
const quoteBodySchema = z
  .object({
    ...imageRequestFields,
    prompt: optional(imageRequestFields.prompt),
    style: optional(z.enum(['vivid', 'natural'])),
    input_fidelity: optional(z.enum(['high', 'low'])),
    operation: optional(z.enum(['generate', 'edit'])),
    input_images: optional(z.array(inputImageSizeSchema).min(1).max(16)),
    mask: optional(z.boolean()),
  })
  .strict()
  .superRefine(checkExtensionsGivenOnce)
  .superRefine((body, context) => {
    if (body.operation === 'edit') {
      if (body.input_images === undefined) {
        context.addIssue({ code: 'custom', path: ['input_images'], message: 'an edit needs its input images' });
      }
      return;
    }
    if (body.input_images !== undefined || body.mask !== undefined) {
      const path = body.input_images !== undefined ? 'input_images' : 'mask';
      context.addIssue({ code: 'custom', path: [path], message: 'only an edit has these; send operation: "edit"' });
    }
  });

/** The quote request, checked and normalised like the request it prices. */
export const quoteRequestSchema = quoteBodySchema.transform((body) => {
  const { fields, extensions } = splitExtensions(body);
  return { ...fields, ...extensions };
});

export type QuoteRequest = z.output<typeof quoteRequestSchema>;
