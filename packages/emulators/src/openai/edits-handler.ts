import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideFault, deliveredImages } from '../faults/decide-fault.ts';
import { sleep, waitForAbort } from '../http/abortable-wait.ts';
import { readMultipart } from '../http/read-multipart.ts';
import { HUE_BUCKETS, hueBucketOf } from '../images/image-spec.ts';
import type { EditPaint } from '../images/paint-edit.ts';
import { paintEdit, promptColour } from '../images/paint-edit.ts';
import { checkBearer } from './auth.ts';
import { runCall } from './call-lifecycle.ts';
import type { EditInputs } from './edit-inputs.ts';
import { checkEditInputs, MAX_EDIT_IMAGE_BYTES, MAX_EDIT_IMAGES } from './edit-inputs.ts';
import { invalidRequest, openAIError } from './errors.ts';
import { faultReply } from './fault-replies.ts';
import type { GenerationDeps } from './generation-deps.ts';
import { renderPartial } from './generations-handler.ts';
import { imagesResponseChunks } from './images-response.ts';
import { renderGifBase64 } from './render-gif.ts';
import type { ReplyContext } from './reply.ts';
import { sendChunks, sendError } from './reply.ts';
import { streamImages } from './stream-images.ts';
import { inputImageTokens } from './usage.ts';
import type { EditRequest } from './validate-edit-request.ts';
import { validateEditRequest } from './validate-edit-request.ts';

/**
 * `POST /v1/images/edits` (multipart/form-data, as the official SDKs send it): auth → content type →
 * parts → validation → fault decision → latency → the first image repainted where the mask is
 * transparent (or tinted all over without a mask). Faults apply only to requests that would
 * otherwise succeed, as on the generations endpoint.
 */
export async function handleEdit(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
): Promise<void> {
  await runCall(req, res, ctx, deps, processEdit);
}

async function processEdit(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
  signal: AbortSignal,
): Promise<void> {
  const authError = checkBearer(req.headers.authorization, deps.apiKey);
  if (authError) return sendError(res, ctx, authError);
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    const message = `Unsupported content type: '${contentType}'. The emulator's images/edits accepts 'multipart/form-data' requests only.`;
    return sendError(res, ctx, invalidRequest(message, null, null));
  }
  const read = await readMultipart(req, { fileBytes: MAX_EDIT_IMAGE_BYTES, files: MAX_EDIT_IMAGES + 1 });
  if (!read.ok) {
    if (read.reason === 'too_large') {
      return sendError(res, ctx, openAIError(413, 'invalid_request_error', read.message, 'image', 'image_too_large'));
    }
    if (read.reason === 'malformed') {
      return sendError(res, ctx, invalidRequest(`Could not parse multipart form: ${read.message}`, null, null));
    }
    return;
  }
  const { fields, files } = read.form;
  deps.stats.requestBody({
    ...Object.fromEntries([...fields].map(([name, values]) => [name, values.at(-1)])),
    files: files.map((file) => ({ field: file.field, filename: file.filename, bytes: file.bytes.length })),
  });

  const validation = validateEditRequest(fields);
  if (!validation.ok) return sendError(res, ctx, validation.error);
  const request = validation.request;
  if (request.outputFormat === 'svg') {
    const message = "Invalid value: 'svg'. Supported values are: 'png', 'jpeg', 'webp', and 'gif'.";
    return sendError(res, ctx, invalidRequest(message, 'output_format'));
  }
  const inputs = await checkEditInputs(files);
  if ('status' in inputs) return sendError(res, ctx, inputs);
  if (request.outputFormat === 'gif' && inputs.mask !== undefined) {
    return sendError(res, ctx, invalidRequest("'mask' is not supported with output_format 'gif'.", 'mask'));
  }

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
    const edited = renderEdit(request, inputs);
    edited.catch(() => {}); // a truncated image ends the stream without its completed event
    await streamImages(res, ctx, {
      kind: 'image_edit',
      request,
      latencyMs,
      signal,
      finalImage: edited,
      partialImage: (index) => renderPartial(request, deps, index),
      count,
      inputImageTokens: inputImageTokens(inputs.images, request.inputFidelity === 'high'),
    }).catch(() => res.destroy());
    return;
  }
  let base64: Buffer | undefined;
  try {
    [, base64] = await Promise.all([sleep(latencyMs, signal), count > 0 ? renderEdit(request, inputs) : undefined]);
  } catch {
    // The header decoded but the pixels did not (a truncated file): OpenAI refuses the image.
    const message = 'Invalid image file or mode for image 1, please check your image file.';
    return sendError(res, ctx, invalidRequest(message, 'image', 'invalid_image_file'));
  }
  if (signal.aborted) return;
  const imageTokens = inputImageTokens(inputs.images, request.inputFidelity === 'high');
  sendChunks(res, ctx, 200, imagesResponseChunks(request, base64 ?? Buffer.alloc(0), count, Date.now(), imageTokens));
}

/** The mask (transparent = change) or the markup (drawn = change), as the painter reads them. */
function overlayOf(inputs: EditInputs): Pick<EditPaint, 'mask'> {
  if (inputs.mask !== undefined) return { mask: { bytes: inputs.mask.bytes, convention: 'alpha-zero' } };
  if (inputs.markup !== undefined) return { mask: { bytes: inputs.markup.bytes, convention: 'alpha-drawn' } };
  return {};
}

/** The first image, resized to the output size, repainted in the prompt's colour where the mask says. */
async function renderEdit(request: EditRequest, inputs: EditInputs): Promise<Buffer> {
  const hueBucket = hueBucketOf(request.prompt);
  const first = inputs.images[0];
  if (request.outputFormat === 'gif' || first === undefined) return renderGifBase64(request);
  const format = request.outputFormat === 'svg' ? 'png' : request.outputFormat;
  const painted = await paintEdit({
    source: first.bytes,
    ...overlayOf(inputs),
    width: request.width,
    height: request.height,
    colour: promptColour(hueBucket, HUE_BUCKETS),
    format,
    quality: Math.max(1, request.outputCompression ?? 100),
  });
  return Buffer.from(painted.toString('base64'), 'latin1');
}
