import { createHash, randomBytes } from 'node:crypto';
import { deliveredImages } from '../faults/decide-fault.ts';
import type { FaultOutcome } from '../faults/fault-types.ts';
import { bufferSlot, jsonWithBuffers } from '../http/json-with-buffers.ts';
import type { RenderedImage } from '../images/image-source.ts';
import { HUE_BUCKETS, hueBucketOf } from '../images/image-spec.ts';
import { paintEdit, promptColour } from '../images/paint-edit.ts';
import { GEMINI_MODEL_FACTS } from './models.ts';
import type { RenderDeps } from './render-deps.ts';
import type { GoogleReply } from './reply.ts';
import type { GenerateContentRequest } from './validate-generate-content.ts';

/** Prompt-side block reasons (docs/providers.md, "Gemini"); a moderation category naming one selects it. */
const BLOCK_REASONS = ['SAFETY', 'OTHER', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY'];
/** Thinking tokens reported by Gemini 3 image models; the real count varies per prompt. */
const THOUGHT_TOKENS = 256;
const REPLY_TEXT = "Here is the image you asked for. I've kept the composition simple and centred.";
const TEXT_ONLY_REPLY =
  "I wasn't able to create an image for this request, but I can describe one: a simple centred shape on a soft gradient.";
const IMAGE_SAFETY_MESSAGE =
  "Unable to show the generated image. The image was filtered out because it violated Google's Generative AI Prohibited Use policy. You will not be charged for blocked images. Try rephrasing the prompt. If you think this was a mistake, send feedback.";

type Json = Record<string, unknown>;

/**
 * Renders the `:generateContent` answer for a non-error outcome, always HTTP 200:
 * `moderation` → no candidates, `promptFeedback.blockReason`; `filtered` → a candidate with
 * `finishReason: IMAGE_SAFETY` and no content; `partial=0` → text only (or `NO_IMAGE` when text
 * was not requested); otherwise exactly one final image, preceded for Gemini 3 models by an
 * interim image flagged `thought: true`.
 */
export async function generateContentReply(
  request: GenerateContentRequest,
  outcome: FaultOutcome,
  deps: RenderDeps,
): Promise<GoogleReply> {
  const facts = GEMINI_MODEL_FACTS[request.model];
  const textTokens = Math.ceil(request.textChars / 4);
  const imageInTokens = request.inputImages * facts.inputImageTokens;
  const promptTokenCount = textTokens + imageInTokens;
  const promptTokensDetails = [
    { modality: 'TEXT', tokenCount: textTokens },
    ...(imageInTokens > 0 ? [{ modality: 'IMAGE', tokenCount: imageInTokens }] : []),
  ];
  const envelope = (fields: Json, candidates: Json[], usage: Json): GoogleReply => {
    const body: Json = { ...fields, usageMetadata: { promptTokenCount, ...usage, promptTokensDetails } };
    if (candidates.length > 0) body.candidates = candidates;
    return finish(request, body, []);
  };

  if (outcome.type === 'moderation') {
    const wanted = (outcome.categories?.[0] ?? '').toUpperCase();
    const promptFeedback: Json = { blockReason: BLOCK_REASONS.includes(wanted) ? wanted : 'SAFETY' };
    if (request.surface === 'vertex')
      promptFeedback.blockReasonMessage = 'The prompt was blocked due to safety reasons.';
    return envelope({ promptFeedback }, [], { totalTokenCount: promptTokenCount });
  }
  if (deliveredImages(outcome, 1) === 0) {
    if (outcome.type === 'filtered') {
      const candidate = { finishReason: 'IMAGE_SAFETY', finishMessage: IMAGE_SAFETY_MESSAGE };
      return envelope({}, [candidate], { candidatesTokenCount: 0, totalTokenCount: promptTokenCount });
    }
    if (!request.wantsText) return envelope({}, [{ finishReason: 'NO_IMAGE' }], { totalTokenCount: promptTokenCount });
    const tokens = Math.ceil(TEXT_ONLY_REPLY.length / 4);
    const candidate = { content: { role: 'model', parts: [{ text: TEXT_ONLY_REPLY }] }, finishReason: 'STOP' };
    return envelope({}, [candidate], {
      candidatesTokenCount: tokens,
      totalTokenCount: promptTokenCount + tokens,
      candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }],
    });
  }

  const [final, interim] = await renderImages(request, facts.thinks, deps);
  const parts: Json[] = [];
  const buffers: Buffer[] = [final.base64];
  if (interim !== undefined) {
    buffers.push(interim.base64);
    parts.push({ inlineData: { mimeType: 'image/jpeg', data: bufferSlot(1) }, thought: true });
  }
  if (request.wantsText) parts.push({ text: REPLY_TEXT });
  const finalPart: Json = { inlineData: { mimeType: request.mimeType, data: bufferSlot(0) } };
  if (facts.thinks) finalPart.thoughtSignature = thoughtSignature(request);
  parts.push(finalPart);

  const imageTokens = facts.outputTokens[request.imageSize] ?? 0;
  const replyTextTokens = request.wantsText ? Math.ceil(REPLY_TEXT.length / 4) : 0;
  const thoughts = facts.thinks ? THOUGHT_TOKENS : 0;
  const candidatesTokenCount = imageTokens + replyTextTokens;
  const usage: Json = {
    candidatesTokenCount,
    totalTokenCount: promptTokenCount + candidatesTokenCount + thoughts,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    candidatesTokensDetails: [
      { modality: 'IMAGE', tokenCount: imageTokens },
      ...(replyTextTokens > 0 ? [{ modality: 'TEXT', tokenCount: replyTextTokens }] : []),
    ],
  };
  const candidate = { content: { role: 'model', parts }, finishReason: 'STOP' };
  const body: Json = { candidates: [candidate], usageMetadata: { promptTokenCount, ...usage, promptTokensDetails } };
  return finish(request, body, buffers);
}

/** Adds the surface-specific envelope fields and serialises with the image buffers spliced in. */
function finish(request: GenerateContentRequest, body: Json, buffers: Buffer[]): GoogleReply {
  const usage = body.usageMetadata as Json;
  if (request.surface === 'vertex') usage.trafficType = 'ON_DEMAND';
  const tail: Json = { modelVersion: request.model, responseId: randomBytes(17).toString('base64url') };
  if (request.surface === 'vertex') tail.createTime = new Date().toISOString();
  return { status: 200, chunks: jsonWithBuffers({ ...body, ...tail }, buffers) };
}

/** The final image plus, for thinking models, a half-size low-quality draft in another colour. */
async function renderImages(
  request: GenerateContentRequest,
  thinks: boolean,
  deps: RenderDeps,
): Promise<[RenderedImage, RenderedImage | undefined]> {
  const hue = hueBucketOf(request.prompt);
  const format = request.mimeType === 'image/jpeg' ? 'jpeg' : 'png';
  const rendered = (): Promise<RenderedImage> =>
    deps.images.get({
      width: request.width,
      height: request.height,
      format,
      transparent: false,
      hueBucket: hue,
      quality: request.quality,
      minBytes: deps.imageBytes,
    });
  // An edit: the first reference image, at the output size, tinted by the prompt. An undecodable
  // reference (Google would have refused it) falls back to a rendered picture.
  const reference = request.referenceImage;
  const final =
    reference === undefined
      ? rendered()
      : paintEdit({
          source: Buffer.from(reference, 'base64'),
          width: request.width,
          height: request.height,
          colour: promptColour(hue, HUE_BUCKETS),
          format,
          quality: request.quality,
        })
          .then((bytes) => ({ bytes, base64: Buffer.from(bytes.toString('base64'), 'latin1') }))
          .catch(rendered);
  const interim = thinks
    ? deps.images.get({
        width: Math.max(16, Math.round(request.width / 2)),
        height: Math.max(16, Math.round(request.height / 2)),
        format: 'jpeg',
        transparent: false,
        hueBucket: (hue + HUE_BUCKETS / 2) % HUE_BUCKETS,
        quality: 40,
        minBytes: 0,
      })
    : undefined;
  return Promise.all([final, interim]);
}

/** Opaque but stable per prompt and model, like the signatures clients must echo back. */
function thoughtSignature(request: GenerateContentRequest): string {
  const digest = createHash('sha256').update(`${request.model}\u0000${request.prompt}`).digest();
  return Buffer.concat([digest, digest]).toString('base64');
}
