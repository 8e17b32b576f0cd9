import { listValues } from './errors.ts';
import type { OpenAIImageModel } from './models.ts';
import { acceptsCustomSizes } from './models.ts';

/** A size that passed validation, in pixels, with the label echoed back in the response. */
export interface ResolvedSize {
  width: number;
  height: number;
  /** `WxH`; `auto` resolves to `1024x1024`. */
  label: string;
}

/** Sizes every GPT image model accepts. */
export const PRESET_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'] as const;

/** gpt-image-2 limits (OpenAI SDK text plus third-party measurements, see docs/providers.md, "OpenAI"). */
export const CUSTOM_SIZE_LIMITS = {
  /** Both edges must be multiples of this many pixels. */
  multiple: 16,
  /** Longest allowed edge, px. */
  maxEdge: 3840,
  /** Longest edge divided by shortest edge, at most. */
  maxAspectRatio: 3,
  /** Total pixels, inclusive. */
  minPixels: 655_360,
  maxPixels: 8_294_400,
} as const;

const AUTO_SIZE: ResolvedSize = { width: 1024, height: 1024, label: '1024x1024' };

/** Validates `size` for a model; returns the resolved size or a human-readable reason. */
export function resolveSize(model: OpenAIImageModel, size: string): ResolvedSize | { error: string } {
  if (size === 'auto') return AUTO_SIZE;
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!acceptsCustomSizes(model)) {
    if (!match || !(PRESET_SIZES as readonly string[]).includes(size)) {
      return { error: `Invalid value: '${size}'. Supported values are: ${listValues(PRESET_SIZES)}.` };
    }
    return { width, height, label: size };
  }
  if (!match || width === 0 || height === 0) {
    return { error: `Invalid size '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1536x864'.` };
  }
  const limits = CUSTOM_SIZE_LIMITS;
  if (width % limits.multiple !== 0 || height % limits.multiple !== 0) {
    return { error: `Invalid size '${size}': width and height must both be multiples of ${limits.multiple}.` };
  }
  if (Math.max(width, height) > limits.maxEdge) {
    return { error: `Invalid size '${size}': the longest edge must be at most ${limits.maxEdge} pixels.` };
  }
  if (Math.max(width, height) > limits.maxAspectRatio * Math.min(width, height)) {
    return { error: `Invalid size '${size}': the aspect ratio must be between 1:3 and 3:1.` };
  }
  const pixels = width * height;
  if (pixels < limits.minPixels || pixels > limits.maxPixels) {
    return {
      error: `Invalid size '${size}': total pixels must be between ${limits.minPixels} and ${limits.maxPixels}, got ${pixels}.`,
    };
  }
  return { width, height, label: `${width}x${height}` };
}
