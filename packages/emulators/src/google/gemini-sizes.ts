import type { GeminiImageModel } from './models.ts';
import { GEMINI_MODEL_FACTS } from './models.ts';

/** The ten aspect ratios every Gemini image model accepts (docs/providers.md, "Gemini"). */
export const GEMINI_ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;

type Pair = readonly [number, number];

/** gemini-2.5-flash-image, 1K only (Google's image-generation guide). */
const FLASH_25: Readonly<Record<string, Pair>> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};

/** Gemini 3 image models at 1K; 2K and 4K are exact doublings, 512 an exact halving. */
const GEMINI_3_1K: Readonly<Record<string, Pair>> = {
  '1:1': [1024, 1024],
  '2:3': [848, 1264],
  '3:2': [1264, 848],
  '3:4': [896, 1200],
  '4:3': [1200, 896],
  '4:5': [928, 1152],
  '5:4': [1152, 928],
  '9:16': [768, 1376],
  '16:9': [1376, 768],
  '21:9': [1584, 672],
};

const SCALE: Readonly<Record<string, number>> = { '512': 0.5, '1K': 1, '2K': 2, '4K': 4 };

/** Aspect ratios a model accepts. */
export function geminiAspectRatios(model: GeminiImageModel): readonly string[] {
  return [...GEMINI_ASPECT_RATIOS, ...GEMINI_MODEL_FACTS[model].extraAspectRatios];
}

/**
 * Output pixels for a validated model, aspect ratio and image size. Published tables where known;
 * the extreme ratios of 3.1 Flash (1:4 … 8:1) are derived: same pixel budget, multiples of 16.
 */
export function geminiPixels(
  model: GeminiImageModel,
  aspectRatio: string,
  imageSize: string,
): { width: number; height: number } {
  const scale = SCALE[imageSize] ?? 1;
  const table = model === 'gemini-2.5-flash-image' ? FLASH_25 : GEMINI_3_1K;
  const known = table[aspectRatio];
  if (known !== undefined) return { width: Math.round(known[0] * scale), height: Math.round(known[1] * scale) };
  const [w, h] = aspectRatio.split(':').map(Number);
  const ratio = (w ?? 1) / (h ?? 1);
  const area = (1024 * scale) ** 2;
  return { width: roundTo16(Math.sqrt(area * ratio)), height: roundTo16(Math.sqrt(area / ratio)) };
}

function roundTo16(value: number): number {
  return Math.max(16, Math.round(value / 16) * 16);
}
