/** Imagen 4 models served on Vertex `:predict`. */
export const IMAGEN_MODELS = [
  'imagen-4.0-generate-001',
  'imagen-4.0-fast-generate-001',
  'imagen-4.0-ultra-generate-001',
] as const;

/** One of {@link IMAGEN_MODELS}. */
export type ImagenModel = (typeof IMAGEN_MODELS)[number];

/** Gemini image models served on `:generateContent` (Vertex and Gemini API). */
export const GEMINI_IMAGE_MODELS = [
  'gemini-2.5-flash-image',
  'gemini-3-pro-image',
  'gemini-3.1-flash-image',
  'gemini-nano-banana-2.1',
  'gemini-3.1-flash-lite-image',
] as const;

/** One of {@link GEMINI_IMAGE_MODELS}. */
export type GeminiImageModel = (typeof GEMINI_IMAGE_MODELS)[number];

/** Narrows a model id from a URL. */
export function isImagenModel(model: string): model is ImagenModel {
  return (IMAGEN_MODELS as readonly string[]).includes(model);
}

/** Narrows a model id from a URL. */
export function isGeminiImageModel(model: string): model is GeminiImageModel {
  return (GEMINI_IMAGE_MODELS as readonly string[]).includes(model);
}

/** Per-model facts for Gemini image models (Vertex model pages, see README). */
export interface GeminiModelFacts {
  /** `imageConfig.imageSize` values accepted; the first is the default. */
  imageSizes: readonly string[];
  /** Aspect ratios beyond the ten every model accepts. */
  extraAspectRatios: readonly string[];
  /** Output tokens per generated image, by image size. */
  outputTokens: Readonly<Record<string, number>>;
  /** Prompt tokens charged per input image. */
  inputImageTokens: number;
  /** Gemini 3 models think: an interim `thought` image precedes the final one. */
  thinks: boolean;
  /** Default encoding of returned images. */
  defaultMimeType: 'image/png' | 'image/jpeg';
}

/** Capabilities per model. */
export const GEMINI_MODEL_FACTS: Readonly<Record<GeminiImageModel, GeminiModelFacts>> = {
  'gemini-2.5-flash-image': {
    imageSizes: ['1K'],
    extraAspectRatios: [],
    outputTokens: { '1K': 1290 },
    inputImageTokens: 258,
    thinks: false,
    defaultMimeType: 'image/png',
  },
  'gemini-3-pro-image': {
    imageSizes: ['1K', '2K', '4K'],
    extraAspectRatios: [],
    outputTokens: { '1K': 1120, '2K': 1120, '4K': 2000 },
    inputImageTokens: 560,
    thinks: true,
    defaultMimeType: 'image/jpeg',
  },
  'gemini-3.1-flash-image': {
    imageSizes: ['1K', '512', '2K', '4K'],
    extraAspectRatios: ['1:4', '4:1', '1:8', '8:1'],
    outputTokens: { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 },
    inputImageTokens: 1120,
    thinks: true,
    defaultMimeType: 'image/jpeg',
  },
  // GA 2026-10-06 (Gemini API changelog); no 512 size, and its 2K token count is a guess.
  'gemini-nano-banana-2.1': {
    imageSizes: ['1K', '2K', '4K'],
    extraAspectRatios: ['1:4', '4:1', '1:8', '8:1'],
    outputTokens: { '1K': 1120, '2K': 2520, '4K': 3780 },
    inputImageTokens: 1120,
    thinks: true,
    defaultMimeType: 'image/jpeg',
  },
  // 1K only (model page); Google publishes no token count, so 2.5 Flash Image's stands in.
  'gemini-3.1-flash-lite-image': {
    imageSizes: ['1K'],
    extraAspectRatios: [],
    outputTokens: { '1K': 1290 },
    inputImageTokens: 258,
    thinks: true,
    defaultMimeType: 'image/jpeg',
  },
};
