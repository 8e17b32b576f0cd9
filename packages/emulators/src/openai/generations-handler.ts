import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideFault, deliveredImages } from '../faults/decide-fault.ts';
import { sleep, waitForAbort } from '../http/abortable-wait.ts';
import { readBody } from '../http/read-body.ts';
import { HUE_BUCKETS, hueBucketOf } from '../images/image-spec.ts';
import { renderVector } from '../images/render-vector.ts';
import { checkBearer } from './auth.ts';
import { runCall } from './call-lifecycle.ts';
import { invalidRequest, openAIError } from './errors.ts';
import { faultReply } from './fault-replies.ts';
import type { GenerationDeps } from './generation-deps.ts';
import { imagesResponseChunks } from './images-response.ts';
import { renderGifBase64 } from './render-gif.ts';
import type { ReplyContext } from './reply.ts';
import { sendChunks, sendError } from './reply.ts';
import { streamImages } from './stream-images.ts';
import type { GenerationRequest } from './validate-generation-request.ts';
import { validateGenerationRequest } from './validate-generation-request.ts';

/** Generous cap: a maximal prompt is ~128 KB even in 4-byte UTF-8. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * `POST /v1/images/generations`: auth → content type → JSON → validation → fault decision →
 * latency → image. Faults apply only to requests that would otherwise succeed, so a scripted
 * queue is never eaten by a test's own malformed request.
 */
export async function handleGeneration(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
): Promise<void> {
  await runCall(req, res, ctx, deps, processGeneration);
}

async function processGeneration(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
  signal: AbortSignal,
): Promise<void> {
  const authError = checkBearer(req.headers.authorization, deps.apiKey);
  if (authError) return sendError(res, ctx, authError);

  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    const message = `Unsupported content type: '${contentType}'. This API method only accepts 'application/json' requests, but you specified the header 'Content-Type: ${contentType}'. Please try again with a supported content type.`;
    return sendError(res, ctx, invalidRequest(message, null, null));
  }
  const read = await readBody(req, MAX_BODY_BYTES);
  if (!read.ok) {
    if (read.reason === 'too_large') {
      sendError(res, ctx, openAIError(413, 'invalid_request_error', 'Request body too large.', null, null));
    }
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString('utf8'));
  } catch {
    const message =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
    return sendError(res, ctx, invalidRequest(message, null, null));
  }
  deps.stats.requestBody(body);

  const validation = validateGenerationRequest(body);
  if (!validation.ok) return sendError(res, ctx, validation.error);
  const request = validation.request;

  const decision = decideFault(request.prompt, deps.faults);
  if ('error' in decision) return sendError(res, ctx, invalidRequest(decision.error, 'prompt'));
  const latencyMs = deps.latencyMs + decision.addedLatencyMs;
  const outcome = decision.outcome;

  if (outcome.type === 'hang') return waitForAbort(signal);
  const failure = faultReply(outcome);
  if (failure) {
    if (await sleep(latencyMs, signal)) sendError(res, ctx, failure);
    return;
  }
  const count = deliveredImages(outcome, request.n);
  if (request.stream) {
    const finalImage = renderBase64(request, deps);
    finalImage.catch(() => {}); // a client that leaves during the partials never awaits it
    await streamImages(res, ctx, {
      kind: 'image_generation',
      request,
      latencyMs,
      signal,
      finalImage,
      partialImage: (index) => renderPartial(request, deps, index),
      count,
    }).catch(() => res.destroy());
    return;
  }
  const [waited, base64] = await Promise.all([
    sleep(latencyMs, signal),
    count > 0 ? renderBase64(request, deps) : undefined,
  ]);
  if (!waited) return;
  sendChunks(res, ctx, 200, imagesResponseChunks(request, base64 ?? Buffer.alloc(0), count, Date.now()));
}

/** A rougher rendering for partial image `index`: another hue, no padding to the configured size. */
export async function renderPartial(request: GenerationRequest, deps: GenerationDeps, index: number): Promise<Buffer> {
  const format = request.outputFormat === 'gif' || request.outputFormat === 'svg' ? 'png' : request.outputFormat;
  const image = await deps.images.get({
    width: request.width,
    height: request.height,
    format,
    transparent: request.background === 'transparent',
    hueBucket: (hueBucketOf(request.prompt) + index + 1) % HUE_BUCKETS,
    quality: 50,
    minBytes: 0,
  });
  return image.base64;
}

async function renderBase64(request: GenerationRequest, deps: GenerationDeps): Promise<Buffer> {
  const hueBucket = hueBucketOf(request.prompt);
  if (request.outputFormat === 'gif') return renderGifBase64(request);
  if (request.outputFormat === 'svg') {
    const svg = renderVector({ width: request.width, height: request.height, hueBucket, prompt: request.prompt });
    return Buffer.from(svg.toString('base64'), 'latin1');
  }
  const image = await deps.images.get({
    width: request.width,
    height: request.height,
    format: request.outputFormat,
    transparent: request.background === 'transparent',
    hueBucket: hueBucketOf(request.prompt),
    // OpenAI's output_compression 0–100 maps onto encoder quality; encoders need at least 1.
    quality: Math.max(1, request.outputCompression ?? 100),
    minBytes: deps.imageBytes,
  });
  return image.base64;
}
