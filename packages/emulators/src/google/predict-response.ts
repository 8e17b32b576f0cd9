import { deliveredImages } from '../faults/decide-fault.ts';
import type { FaultOutcome } from '../faults/fault-types.ts';
import { bufferSlot, jsonWithBuffers } from '../http/json-with-buffers.ts';
import { HUE_BUCKETS, hueBucketOf } from '../images/image-spec.ts';
import { invalidArgument } from './errors.ts';
import type { RenderDeps } from './render-deps.ts';
import type { GoogleReply } from './reply.ts';
import type { PredictRequest } from './validate-predict.ts';

/** Support code Google attaches to person/face refusals (firebase-ios-sdk #14403); others are arbitrary. */
const PERSON_SUPPORT_CODE = '39322892';
const DEFAULT_SUPPORT_CODE = '42876398';

/**
 * Renders the `:predict` answer for a non-error outcome: `{predictions: [{bytesBase64Encoded,
 * mimeType}]}`. `moderation` is a prompt-level 400 with support codes; `partial` silently returns
 * fewer predictions; `filtered` withholds images and, only when `includeRaiReason` is set, appends
 * one `{raiFilteredReason}` entry, as Vertex does. With nothing left the body is `{}`, because
 * proto3 JSON omits an empty `predictions` list.
 */
export async function predictReply(
  request: PredictRequest,
  outcome: FaultOutcome,
  deps: RenderDeps,
): Promise<GoogleReply> {
  if (outcome.type === 'moderation') {
    const categories = outcome.categories ?? [];
    const code = categories.some((c) => /person|face|child/i.test(c)) ? PERSON_SUPPORT_CODE : DEFAULT_SUPPORT_CODE;
    const message = `Image generation failed with the following error: The prompt could not be submitted. This prompt contains sensitive words that violate Google's Responsible AI practices. Try rephrasing the prompt. If you think this was an error, send feedback. Support codes: ${code}`;
    const reply = invalidArgument(message);
    return { status: reply.status, chunks: [Buffer.from(JSON.stringify(reply.body))] };
  }
  const count = deliveredImages(outcome, request.sampleCount);
  const withheld = outcome.type === 'filtered' ? request.sampleCount - count : 0;
  const baseHue = hueBucketOf(request.prompt);
  // Each sample gets its own colour so clients can tell the samples apart, as with real Imagen.
  const images = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      deps.images.get({
        width: request.width,
        height: request.height,
        format: request.mimeType === 'image/jpeg' ? 'jpeg' : 'png',
        transparent: false,
        hueBucket: (baseHue + index) % HUE_BUCKETS,
        quality: Math.max(1, request.compressionQuality),
        minBytes: deps.imageBytes,
      }),
    ),
  );
  const predictions: Record<string, unknown>[] = images.map((_, index) => ({
    bytesBase64Encoded: bufferSlot(index),
    mimeType: request.mimeType,
    ...(request.enhancePrompt ? { prompt: request.prompt } : {}),
  }));
  if (withheld > 0 && request.includeRaiReason) {
    predictions.push({
      raiFilteredReason: `Your current safety filter threshold filtered out ${withheld} generated images. You will not be charged for blocked images. Try rephrasing the prompt. If you think this was an error, send feedback. Support codes: 58061214`,
    });
  }
  const body = predictions.length === 0 ? {} : { predictions };
  return {
    status: 200,
    chunks: jsonWithBuffers(
      body,
      images.map((image) => image.base64),
    ),
  };
}
