import { z } from 'zod';
import { lenient } from '../http-json.ts';
import type { ProviderImageRequest } from '../spec.ts';
import { isFillModel } from './bfl-edit-fields.ts';
import { bflOptionFields } from './bfl-options.ts';

/** The part of BFL's `AsyncResponse` (submit without a webhook) we use. */
export interface BflSubmitResponse {
  id: string;
  /** Where to poll, exactly as given (it may name a regional host). */
  pollingUrl: string;
  /** What the task costs (`cost` in credits, 1 = USD 0.01) and its megapixels, as far as BFL says. */
  usage: { cost?: number; input_mp?: number; output_mp?: number };
}

/** The part of BFL's `ResultResponse` (`GET polling_url`) we use. */
export interface BflResultResponse {
  /** `Pending`, `Ready`, `Request Moderated`, `Content Moderated`, `Error`, `Task not found`, or newer strings. */
  status: string;
  /** `result.sample`: a signed URL of the image, valid for about ten minutes once `Ready`. */
  sample: string | undefined;
  /** Free-form: `{"Moderation Reasons": [...]}`, `{error: "..."}`, or a string. */
  details: unknown;
  /** How far a pending task is, 0–1, where BFL says. */
  progress: number | undefined;
}

/** A request's `WxH` size as BFL's `width`/`height`, for models not sized by aspect ratio. */
export function explicitDimensions(request: ProviderImageRequest): { width: number; height: number } | undefined {
  if (request.aspectRatio !== undefined) return undefined;
  const match = /^(\d+)x(\d+)$/.exec(request.size);
  if (match === null) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * The JSON body of `POST /v1/{providerModel}`: FLUX.2 and FLUX1.1 [pro] take `width`/`height`,
 * Kontext and Ultra `aspect_ratio`, FLUX 3 `aspect_ratio` and `resolution`. No webhook: we poll, so a task survives a worker restart.
 */
export function bflSubmitBody(request: ProviderImageRequest): Record<string, unknown> {
  // FLUX 3 Image's schema is strict: an aspect ratio and a resolution class, no size or format.
  if (request.providerModel.startsWith('flux-3')) {
    return {
      prompt: request.prompt,
      ...(request.aspectRatio === undefined ? {} : { aspect_ratio: request.aspectRatio }),
      ...(request.imageSize === undefined ? {} : { resolution: request.imageSize }),
      ...bflOptionFields(request.providerOptions),
    };
  }
  // Fill's output has its input's size: it takes no size at all.
  const dimensions = isFillModel(request.providerModel) ? undefined : explicitDimensions(request);
  return {
    prompt: request.prompt,
    ...(dimensions ?? {}),
    ...(request.aspectRatio === undefined ? {} : { aspect_ratio: request.aspectRatio }),
    output_format: request.outputFormat,
    ...bflOptionFields(request.providerOptions),
  };
}

/** A count BFL reports, when it is one (anything else reads as absent). */
const countSchema = lenient(z.number().nonnegative().finite());

const submitResponseSchema = z.object({
  id: z.string(),
  polling_url: z.string(),
  cost: countSchema,
  input_mp: countSchema,
  output_mp: countSchema,
});

const resultResponseSchema = z.object({
  status: z.string(),
  result: lenient(z.object({ sample: lenient(z.string()) })),
  details: z.unknown(),
  progress: lenient(z.number().min(0).max(1)),
});

/** The submit answer, or undefined when it lacks `id` or `polling_url` (e.g. a webhook answer). */
export function parseSubmitResponse(body: unknown): BflSubmitResponse | undefined {
  const parsed = submitResponseSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { id, polling_url: pollingUrl, ...counts } = parsed.data;
  const usage: BflSubmitResponse['usage'] = {};
  for (const key of ['cost', 'input_mp', 'output_mp'] as const) {
    const value = counts[key];
    if (value !== undefined) usage[key] = value;
  }
  return { id, pollingUrl, usage };
}

/** A poll answer, or undefined when it has no `status`. */
export function parseResultResponse(body: unknown): BflResultResponse | undefined {
  const parsed = resultResponseSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return {
    status: parsed.data.status,
    sample: parsed.data.result?.sample,
    details: parsed.data.details,
    progress: parsed.data.progress,
  };
}
