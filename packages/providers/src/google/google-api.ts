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

export interface GenerateContentBody {
  contents: [{ role: 'user'; parts: [{ text: string }] }];
  generationConfig: {
    responseModalities: ['IMAGE'];
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
  usage?: GeminiUsage | undefined;
}

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  totalTokenCount?: number | undefined;
}

type JsonObject = Record<string, unknown>;

export function readPredictions(body: unknown): Prediction[] {
  return asList(asObject(body)?.predictions).flatMap((entry) => {
    const prediction = asObject(entry);
    if (prediction === undefined) return [];
    return [
      {
        bytes: asBytes(prediction.bytesBase64Encoded),
        mimeType: asString(prediction.mimeType),
        raiFilteredReason: asString(prediction.raiFilteredReason),
      },
    ];
  });
}

export function readGenerateContent(body: unknown): GenerateContentAnswer {
  const answer = asObject(body) ?? {};
  const feedback = asObject(answer.promptFeedback);
  const candidate = asObject(asList(answer.candidates)[0]);
  const parts = asList(asObject(candidate?.content)?.parts).map(asObject);
  const images = parts.flatMap((part) => {
    const inline = asObject(part?.inlineData);
    const data = asBytes(inline?.data);
    if (data === undefined || data.byteLength === 0) return [];
    return [{ data, mimeType: asString(inline?.mimeType) ?? 'image/png', thought: part?.thought === true }];
  });
  return {
    blockReason: asString(feedback?.blockReason),
    blockReasonMessage: asString(feedback?.blockReasonMessage),
    finishReason: asString(candidate?.finishReason),
    finishMessage: asString(candidate?.finishMessage),
    images,
    usage: readUsage(asObject(answer.usageMetadata)),
  };
}

function readUsage(usage: JsonObject | undefined): GeminiUsage | undefined {
  if (usage === undefined) return undefined;
  return {
    promptTokenCount: asNumber(usage.promptTokenCount) ?? 0,
    candidatesTokenCount: asNumber(usage.candidatesTokenCount) ?? 0,
    thoughtsTokenCount: asNumber(usage.thoughtsTokenCount) ?? 0,
    totalTokenCount: asNumber(usage.totalTokenCount),
  };
}

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Image bytes: decoded while the body streamed in, or still a base64 string (read another way). */
function asBytes(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
