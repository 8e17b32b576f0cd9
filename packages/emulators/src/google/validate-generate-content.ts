import type { GoogleErrorReply } from './errors.ts';
import { unknownField } from './errors.ts';
import type { GoogleSurface } from './fault-replies.ts';
import { geminiPixels } from './gemini-sizes.ts';
import type { GeminiImageModel } from './models.ts';
import { GEMINI_MODEL_FACTS } from './models.ts';
import { Invalid, invalid, isJsonObject, unknownKey } from './read-fields.ts';
import { readContents } from './validate-contents.ts';
import { readGenerationConfig } from './validate-generation-config.ts';

/** A validated `:generateContent` request for an image model, with defaults applied. */
export interface GenerateContentRequest {
  model: GeminiImageModel;
  surface: GoogleSurface;
  prompt: string;
  /** Characters of prompt text across all turns. */
  textChars: number;
  inputImages: number;
  /** Base64 of the first inline image in a user turn; the output is derived from it. */
  referenceImage?: string;
  wantsText: boolean;
  aspectRatio: string;
  imageSize: string;
  width: number;
  height: number;
  mimeType: 'image/png' | 'image/jpeg';
  /** Encoder quality 1–100 for JPEG. */
  quality: number;
}

/** Validation result: the request, or the reply Google would send. */
export type GenerateContentValidation =
  | { ok: true; request: GenerateContentRequest }
  | { ok: false; error: GoogleErrorReply };

const TOP_LEVEL = new Set([
  'contents',
  'generationConfig',
  'safetySettings',
  'systemInstruction',
  'tools',
  'toolConfig',
  'cachedContent',
  'labels',
  'model',
]);
/** Gemini 3 JPEGs are moderately compressed; the exact quality is not published. */
const DEFAULT_JPEG_QUALITY = 85;

/** Validates a `:generateContent` body for a Gemini image model (docs/providers.md, "Gemini"). */
export function validateGenerateContent(
  model: GeminiImageModel,
  surface: GoogleSurface,
  body: unknown,
): GenerateContentValidation {
  const result = read(model, surface, body);
  return result instanceof Invalid ? { ok: false, error: result.reply } : { ok: true, request: result };
}

function read(model: GeminiImageModel, surface: GoogleSurface, body: unknown): GenerateContentRequest | Invalid {
  if (!isJsonObject(body)) {
    return invalid('Invalid JSON payload received. Unknown name "": Root element must be a message.');
  }
  const extra = unknownKey(body, TOP_LEVEL);
  if (extra !== undefined) return new Invalid(unknownField(extra, ''));
  const contents = readContents(body, surface);
  if (contents instanceof Invalid) return contents;
  const config = readGenerationConfig(body, model, surface);
  if (config instanceof Invalid) return config;
  const mimeType = config.mimeType ?? GEMINI_MODEL_FACTS[model].defaultMimeType;
  return {
    model,
    surface,
    ...contents,
    wantsText: config.wantsText,
    aspectRatio: config.aspectRatio,
    imageSize: config.imageSize,
    ...geminiPixels(model, config.aspectRatio, config.imageSize),
    mimeType,
    quality: Math.max(1, config.compressionQuality ?? DEFAULT_JPEG_QUALITY),
  };
}
