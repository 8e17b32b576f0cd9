import { usesTokenFormula } from './models.ts';
import type { ImagesUsage } from './usage.ts';
import { computeUsage } from './usage.ts';
import type { GenerationRequest } from './validate-generation-request.ts';

const ITEM_OPEN = Buffer.from('{"b64_json":"');
const ITEM_CLOSE = Buffer.from('"}');
const ITEM_SEPARATOR = Buffer.from(',');

/**
 * Serialises an `ImagesResponse` as buffer pieces: the same base64 buffer is referenced `count`
 * times rather than copied. Base64 needs no JSON escaping, so splicing it in raw is safe.
 * @param base64 the image as base64 ASCII bytes.
 * @param count images to include; may be below `request.n` for partial faults.
 * @param inputImageTokens tokens billed for input images (edits); default 0.
 */
export function imagesResponseChunks(
  request: GenerationRequest,
  base64: Buffer,
  count: number,
  nowMs: number,
  inputImageTokens = 0,
): Buffer[] {
  const created = Math.floor(nowMs / 1000);
  const chunks: Buffer[] = [Buffer.from(`{"created":${created},"data":[`)];
  for (let i = 0; i < count; i++) {
    if (i > 0) chunks.push(ITEM_SEPARATOR);
    chunks.push(ITEM_OPEN, base64, ITEM_CLOSE);
  }
  const rest = JSON.stringify({
    background: request.background,
    output_format: request.outputFormat,
    quality: request.quality,
    size: request.size,
    ...(request.safetyIdentifier === null ? {} : { safety_identifier: request.safetyIdentifier }),
    // The SVG author model's own tokens, apart from the reference image's (openai SDK 7.59).
    ...(request.outputFormat === 'svg' && count > 0 ? { svg_usage: svgUsage(request.prompt) } : {}),
    usage: withInputImageTokens(
      computeUsage(
        request.prompt,
        request.quality,
        request.width,
        request.height,
        count,
        usesTokenFormula(request.model),
      ),
      inputImageTokens,
    ),
  });
  // `rest` starts with "{"; replace it with "]," to continue the outer object.
  chunks.push(Buffer.from(`],${rest.slice(1)}`));
  return chunks;
}

/** Tokens the SVG author model spent: its prompt is ours, its answer about a thousand tokens. */
function svgUsage(prompt: string) {
  const input = Math.ceil(prompt.length / 4) + 400;
  const output = 1200;
  const reasoning = 300;
  return {
    model: 'gpt-5.1-mini',
    input_tokens: input,
    output_tokens: output,
    reasoning_tokens: reasoning,
    total_tokens: input + output,
  };
}

/** Adds an edit's input image tokens to a generation's usage. */
function withInputImageTokens(usage: ImagesUsage, imageTokens: number): ImagesUsage {
  if (imageTokens === 0) return usage;
  return {
    ...usage,
    input_tokens: usage.input_tokens + imageTokens,
    input_tokens_details: { ...usage.input_tokens_details, image_tokens: imageTokens },
    total_tokens: usage.total_tokens + imageTokens,
  };
}
