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
 * Approximates token usage: input ≈ ceil(prompt characters / 4); output = per-image tokens for the
 * quality, scaled by pixel count relative to 1024×1024, times the number of images returned.
 */
export function computeUsage(
  prompt: string,
  quality: 'low' | 'medium' | 'high',
  width: number,
  height: number,
  images: number,
): ImagesUsage {
  const inputTokens = Math.ceil(prompt.length / 4);
  const perImage = Math.round((OUTPUT_TOKENS_1024[quality] * width * height) / SQUARE_1024_PIXELS);
  const outputTokens = perImage * images;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { text_tokens: inputTokens, image_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { image_tokens: outputTokens, text_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}
