import { InvalidRequestError, ModerationBlockedError, UpstreamError } from '@imagegate/core';
import type { ProviderImage, ProviderImageRequest, ProviderInputImage, ProviderTurn } from '../spec.ts';
import { formatOfMediaType } from '../spec.ts';
import {
  type GeminiImageConfig,
  type GeminiRequestPart,
  type GeminiUsage,
  type GenerateContentBody,
  type InlineImagePart,
  readGenerateContent,
} from './google-api.ts';
import { type GoogleOptions, optionParam } from './google-options.ts';
import { formatMismatchWarning } from './google-output-format.ts';

/** Which front end serves `:generateContent`: Vertex (OAuth) or the Gemini API (API key). */
export type GeminiSurface = 'vertex' | 'gemini-api';

/** What one `:generateContent` call produced. */
export interface GeminiOutput {
  images: ProviderImage[];
  /** The model's words beside the image (asked for in a conversation). */
  text: string;
  outputFormat: string;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | undefined;
  warnings: string[];
}

/** Finish reasons that mean a safety system withheld the image, besides every `IMAGE_*` one. */
const SAFETY_FINISH_REASONS = new Set(['SAFETY', 'PROHIBITED_CONTENT', 'RECITATION', 'BLOCKLIST', 'SPII', 'OTHER']);

/**
 * The `:generateContent` body asking for one image (docs/providers.md, "Gemini"). The output format and
 * person policy can be chosen on Vertex only; the Gemini API refuses those fields.
 */
export async function geminiGenerateContentBody(
  request: ProviderImageRequest,
  surface: GeminiSurface,
  mediaType: string,
  options: GoogleOptions,
): Promise<GenerateContentBody> {
  if (surface === 'gemini-api' && options.personGeneration !== undefined) {
    throw new InvalidRequestError(
      `${optionParam('personGeneration')} is only available through Vertex AI, which this gateway is not configured for.`,
      { param: optionParam('personGeneration'), code: 'invalid_value' },
    );
  }
  const imageConfig: GeminiImageConfig = {
    ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
    ...(request.imageSize === undefined ? {} : { imageSize: request.imageSize }),
  };
  if (surface === 'vertex') {
    imageConfig.imageOutputOptions = {
      mimeType: mediaType,
      ...(request.outputCompression === undefined ? {} : { compressionQuality: request.outputCompression }),
    };
    if (options.personGeneration !== undefined) imageConfig.personGeneration = options.personGeneration;
  }
  return {
    ...(request.conversation === undefined
      ? { contents: [{ role: 'user', parts: [...(await referenceImageParts(request)), { text: request.prompt }] }] }
      : await conversationContents(request.conversation)),
    generationConfig: {
      responseModalities:
        request.conversation === undefined || request.conversationText === false ? ['IMAGE'] : ['TEXT', 'IMAGE'],
      imageConfig,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
  };
}

/**
 * An edit's input images as inline parts before the prompt: Gemini takes them as references to
 * edit or compose from (the catalog caps their number per model, and refuses a mask: Gemini has none).
 */
async function referenceImageParts(request: ProviderImageRequest): Promise<GeminiRequestPart[]> {
  return Promise.all(
    (request.inputs?.images ?? []).map(async (image) => ({
      inlineData: { mimeType: image.mediaType, data: Buffer.from(await image.data.arrayBuffer()).toString('base64') },
    })),
  );
}

const inline = async (image: ProviderInputImage): Promise<GeminiRequestPart> => ({
  inlineData: { mimeType: image.mediaType, data: Buffer.from(await image.data.arrayBuffer()).toString('base64') },
});

/**
 * A chat as Gemini's own conversation: user and model turns with their images inline (earlier
 * images included, so "make it bluer" edits the last one), system messages as `systemInstruction`.
 */
async function conversationContents(
  turns: readonly ProviderTurn[],
): Promise<Pick<GenerateContentBody, 'contents' | 'systemInstruction'>> {
  const system = turns.filter((turn) => turn.role === 'system' && turn.text !== '');
  const contents = await Promise.all(
    turns
      .filter((turn) => turn.role !== 'system')
      .map(async (turn) => ({
        role: turn.role === 'model' ? ('model' as const) : ('user' as const),
        parts: [...(await Promise.all(turn.images.map(inline))), ...(turn.text === '' ? [] : [{ text: turn.text }])],
      })),
  );
  return {
    contents: contents.filter((turn) => turn.parts.length > 0),
    ...(system.length === 0 ? {} : { systemInstruction: { parts: system.map((turn) => ({ text: turn.text })) } }),
  };
}

/**
 * The image of a `:generateContent` answer. Refusals come with HTTP 200: a `promptFeedback`
 * block reason, or a candidate finishing for a safety reason without an image.
 */
export function geminiOutput(body: unknown, requestedFormat: string): GeminiOutput {
  const answer = readGenerateContent(body);
  if (answer.blockReason !== undefined) {
    throw new ModerationBlockedError(`Google's safety filter blocked the prompt (${answer.blockReason}).`, {
      upstreamCode: answer.blockReason,
    });
  }
  const image = finalImage(answer.images);
  if (image === undefined) {
    const reason = answer.finishReason;
    if (reason !== undefined && (reason.startsWith('IMAGE_') || SAFETY_FINISH_REASONS.has(reason))) {
      throw new ModerationBlockedError(
        answer.finishMessage ?? `Google's safety filter withheld the image (${reason}).`,
        { upstreamCode: reason },
      );
    }
    // STOP with text only, NO_IMAGE, MAX_TOKENS…: the model may well draw on a second try.
    throw new UpstreamError(`Google answered without an image (finish reason ${reason ?? 'none'}).`, {
      code: 'upstream_no_image',
      upstreamCode: reason,
      retryable: true,
    });
  }
  const outputFormat = formatOfMediaType(image.mimeType);
  return {
    images: [{ bytes: image.data, mediaType: image.mimeType }],
    text: answer.text,
    outputFormat,
    usage: usageOf(answer.usage),
    warnings: formatMismatchWarning(requestedFormat, outputFormat),
  };
}

/**
 * Thinking models send interim drafts flagged `thought: true` before the answer; the last unflagged
 * image is the answer, and if every image is flagged (seen in the wild) the last one is.
 */
function finalImage(images: InlineImagePart[]): InlineImagePart | undefined {
  return images.findLast((image) => !image.thought) ?? images.at(-1);
}

/** OpenAI's usage names; thinking is billed as output, as Google does. */
function usageOf(usage: GeminiUsage | undefined): GeminiOutput['usage'] {
  if (usage === undefined) return undefined;
  const output = usage.candidatesTokenCount + usage.thoughtsTokenCount;
  return {
    input_tokens: usage.promptTokenCount,
    output_tokens: output,
    total_tokens: usage.totalTokenCount ?? usage.promptTokenCount + output,
  };
}
