import { z } from 'zod';
import { base64BytesSchema, lenient, lenientList, parseUpstreamJson } from '../http-json.ts';

/**
 * Google's wire formats (docs/providers.md, "Google"): the request bodies we send, and readers that take
 * only the response fields we use, dropping anything of an unexpected type.
 */

export interface ImagenPredictBody {
  instances: [{ prompt: string }];
  parameters: ImagenParameters;
}

export interface ImagenParameters {
  sampleCount: number;
  aspectRatio?: string;
  /** `1K` / `2K`. */
  sampleImageSize?: string;
  /** Makes Vertex say why an image was withheld instead of silently returning fewer. */
  includeRaiReason: true;
  outputOptions: { mimeType: string; compressionQuality?: number };
  safetySetting?: string;
  personGeneration?: string;
  seed?: number;
  addWatermark?: boolean;
  enhancePrompt?: boolean;
  negativePrompt?: string;
  language?: string;
}

/** A part of a request turn: text, or an image sent inline as base64. */
export type GeminiRequestPart = { text: string } | { inlineData: { mimeType: string; data: string } };

export interface GenerateContentBody {
  /** The turns: one user turn (an edit's images, then the prompt), or a whole conversation. */
  contents: { role: 'user' | 'model'; parts: GeminiRequestPart[] }[];
  /** A conversation's system messages. */
  systemInstruction?: { parts: { text: string }[] };
  generationConfig: {
    responseModalities: ('TEXT' | 'IMAGE')[];
    imageConfig: GeminiImageConfig;
    seed?: number;
  };
}

export interface GeminiImageConfig {
  aspectRatio?: string;
  imageSize?: string;
  /** Vertex only. */
  imageOutputOptions?: { mimeType: string; compressionQuality?: number };
  /** Vertex only. */
  personGeneration?: string;
}

/** One `predictions[]` entry: an image, or only the reason one was withheld. */
export interface Prediction {
  /** The image, decoded. */
  bytes?: Buffer | undefined;
  mimeType?: string | undefined;
  raiFilteredReason?: string | undefined;
}

export interface InlineImagePart {
  /** The image, decoded. */
  data: Buffer;
  mimeType: string;
  /** An interim draft of a thinking model, not the answer. */
  thought: boolean;
}

export interface GenerateContentAnswer {
  blockReason?: string | undefined;
  blockReasonMessage?: string | undefined;
  finishReason?: string | undefined;
  finishMessage?: string | undefined;
  /** The first candidate's image parts, in order. */
  images: InlineImagePart[];
  /** The first candidate's text, thoughts left out. */
  text: string;
  usage?: GeminiUsage | undefined;
}

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  totalTokenCount?: number | undefined;
}

const predictSchema = z.object({
  predictions: lenientList(
    z.object({
      bytesBase64Encoded: lenient(base64BytesSchema),
      mimeType: lenient(z.string()),
      raiFilteredReason: lenient(z.string()),
    }),
  ),
});

const usageSchema = z.object({
  promptTokenCount: lenient(z.number()),
  candidatesTokenCount: lenient(z.number()),
  thoughtsTokenCount: lenient(z.number()),
  totalTokenCount: lenient(z.number()),
});

const partSchema = z.object({
  inlineData: lenient(z.object({ data: lenient(base64BytesSchema), mimeType: lenient(z.string()) })),
  text: lenient(z.string()),
  thought: lenient(z.boolean()),
});

const generateContentSchema = z.object({
  promptFeedback: lenient(z.object({ blockReason: lenient(z.string()), blockReasonMessage: lenient(z.string()) })),
  candidates: lenientList(
    z.object({
      content: lenient(z.object({ parts: lenientList(partSchema) })),
      finishReason: lenient(z.string()),
      finishMessage: lenient(z.string()),
    }),
  ),
  usageMetadata: lenient(usageSchema),
});

export function readPredictions(body: unknown): Prediction[] {
  return parseUpstreamJson(predictSchema, body, 'answer').predictions.map((prediction) => ({
    bytes: prediction.bytesBase64Encoded,
    mimeType: prediction.mimeType,
    raiFilteredReason: prediction.raiFilteredReason,
  }));
}

export function readGenerateContent(body: unknown): GenerateContentAnswer {
  const answer = parseUpstreamJson(generateContentSchema, body, 'answer');
  const candidate = answer.candidates[0];
  const images = (candidate?.content?.parts ?? []).flatMap((part) => {
    const data = part.inlineData?.data;
    if (data === undefined || data.byteLength === 0) return [];
    return [{ data, mimeType: part.inlineData?.mimeType ?? 'image/png', thought: part.thought === true }];
  });
  return {
    blockReason: answer.promptFeedback?.blockReason,
    blockReasonMessage: answer.promptFeedback?.blockReasonMessage,
    finishReason: candidate?.finishReason,
    finishMessage: candidate?.finishMessage,
    images,
    text: (candidate?.content?.parts ?? [])
      .flatMap((part) => (part.text !== undefined && part.thought !== true ? [part.text] : []))
      .join(''),
    usage: readUsage(answer.usageMetadata),
  };
}

function readUsage(usage: z.output<typeof usageSchema> | undefined): GeminiUsage | undefined {
  if (usage === undefined) return undefined;
  return {
    promptTokenCount: finite(usage.promptTokenCount) ?? 0,
    candidatesTokenCount: finite(usage.candidatesTokenCount) ?? 0,
    thoughtsTokenCount: finite(usage.thoughtsTokenCount) ?? 0,
    totalTokenCount: finite(usage.totalTokenCount),
  };
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
