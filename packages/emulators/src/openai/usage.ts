/** The `usage` object of an images response, as GPT image models report it. */
export interface ImagesUsage {
  input_tokens: number;
  input_tokens_details: { text_tokens: number; image_tokens: number };
  output_tokens: number;
  output_tokens_details: { image_tokens: number; text_tokens: number };
  total_tokens: number;
}

/** Output tokens for one 1024×1024 image per quality (OpenAI's published gpt-image-1 figures). */
export const OUTPUT_TOKENS_1024: Readonly<Record<'low' | 'medium' | 'high', number>> = {
  low: 272,
  medium: 1056,
  high: 4160,
};

const SQUARE_1024_PIXELS = 1024 * 1024;

/**
 * gpt-image-2 and later: the factor of each quality in OpenAI's calculator formula (low, medium and
 * high reproduce OpenAI's published gpt-image-2 figures; xhigh and max are guesses, 2x and 4x high).
 */
export const QUALITY_FACTORS: Readonly<Record<'low' | 'medium' | 'high' | 'xhigh' | 'max', number>> = {
  low: 16,
  medium: 48,
  high: 96,
  xhigh: 136,
  max: 192,
};

/** Output image tokens of one image by OpenAI's calculator formula (1024x1024 high: 7,024). */
export function formulaImageTokens(factor: number, width: number, height: number): number {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const scaled = Math.floor((2 * factor * short + long) / (2 * long));
  return Math.ceil((factor * scaled * (2_000_000 + width * height)) / 4_000_000);
}

/**
 * Approximates token usage: input ≈ ceil(prompt characters / 4); output per image by OpenAI's
 * formula (`formula`: gpt-image-2 and later), else gpt-image-1's tokens for the quality scaled by
 * pixel count relative to 1024×1024; times the number of images returned.
 */
export function computeUsage(
  prompt: string,
  quality: 'low' | 'medium' | 'high' | 'xhigh' | 'max',
  width: number,
  height: number,
  images: number,
  formula = false,
): ImagesUsage {
  const inputTokens = Math.ceil(prompt.length / 4);
  const perImage = formula
    ? formulaImageTokens(QUALITY_FACTORS[quality], width, height)
    : Math.round(
        (OUTPUT_TOKENS_1024[quality === 'xhigh' || quality === 'max' ? 'high' : quality] * width * height) /
          SQUARE_1024_PIXELS,
      );
  const outputTokens = perImage * images;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { text_tokens: inputTokens, image_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { image_tokens: outputTokens, text_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

/** gpt-image-1's image input: a base plus a price per 512-px tile, after fitting 2048² and a 512 short edge. */
const INPUT_IMAGE_BASE_TOKENS = 65;
const INPUT_IMAGE_TILE_TOKENS = 129;
/** What `input_fidelity: high` adds for the first image (gpt-image-1's figure at 1024², rounded). */
const HIGH_FIDELITY_TOKENS = 4160;

/**
 * Approximates the input image tokens of an edit from each image's decoded size: images are fitted
 * into 2048×2048, their short edge scaled to 512, then counted in 512-px tiles; `high` fidelity adds
 * a flat amount once.
 */
export function inputImageTokens(images: readonly { width: number; height: number }[], highFidelity: boolean): number {
  let tokens = 0;
  for (const image of images) {
    const fit = Math.min(1, 2048 / Math.max(image.width, image.height));
    const short = Math.min(image.width, image.height) * fit;
    const scale = fit * Math.min(1, 512 / short);
    const tiles = Math.ceil((image.width * scale) / 512) * Math.ceil((image.height * scale) / 512);
    tokens += INPUT_IMAGE_BASE_TOKENS + INPUT_IMAGE_TILE_TOKENS * tiles;
  }
  return highFidelity && images.length > 0 ? tokens + HIGH_FIDELITY_TOKENS : tokens;
}
