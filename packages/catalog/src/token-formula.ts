import type { OutputTokens } from './catalog-schema.ts';

/**
 * Output image tokens of one `width`×`height` image on OpenAI's GPT image models, with `factor` the
 * quality's (gpt-image-2: low 16, medium 48, high 96). Reverse-engineered from OpenAI's pricing
 * calculator; it reproduces OpenAI's published figures (1024×1024 high: 7,024 tokens, $0.211) and
 * is not monotonic in area, which is why no table by pixel count can price these models.
 */
export function openaiImageOutputTokens(factor: number, width: number, height: number): number {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const scaled = Math.floor((2 * factor * short + long) / (2 * long));
  return Math.ceil((factor * scaled * (2_000_000 + width * height)) / 4_000_000);
}

/** The tokens of the first tier holding `pixels` (the last tier past them all). */
export function tokensForPixels(tiers: readonly { maxPixels: number; tokens: number }[], pixels: number): number {
  return (tiers.find((tier) => pixels <= tier.maxPixels) ?? tiers.at(-1))?.tokens ?? 0;
}

/** Qualities with a factor, dearest first. */
export function factorsByCost(factors: Readonly<Record<string, number | undefined>>): [string, number][] {
  return Object.entries(factors)
    .flatMap(([quality, factor]): [string, number][] => (factor === undefined ? [] : [[quality, factor]]))
    .sort(([, a], [, b]) => b - a);
}

/**
 * Output image tokens of one image of `width`×`height` at `quality` under `rule`. A quality the rule
 * has no factor for (`auto`, or unknown) counts as the dearest the model may pick.
 */
export function outputTokensOf(
  rule: OutputTokens | { formula: 'openai-tiles'; qualityFactors: Readonly<Record<string, number>> },
  width: number,
  height: number,
  quality: string,
): number {
  if (rule.formula === 'pixel-tiers') return tokensForPixels(rule.tiers, width * height);
  const factors: Readonly<Record<string, number | undefined>> = rule.qualityFactors;
  const factor = factors[quality] ?? factorsByCost(factors)[0]?.[1] ?? 0;
  return openaiImageOutputTokens(factor, width, height);
}

/**
 * A prompt's text tokens, estimated from its UTF-8 bytes: a token is about four bytes of English;
 * three errs on the dear side for other scripts, since the quote must cover the upstream's count.
 */
export function estimateTextTokens(text: string): number {
  return Math.ceil(new TextEncoder().encode(text).length / 3);
}

/**
 * Input image tokens of one `width`×`height` image, by the family of the model's output rule.
 * `openai-tiles` (GPT image models): OpenAI's vision rule: fit within 2048×2048, the short side
 * scaled to 768, then 170 tokens per 512-pixel tile plus 85. `pixel-tiers` (Gemini): 1,120 tokens
 * per image, Gemini 3's default (high) media resolution; older models count fewer, so the quote
 * errs on the dear side.
 */
export function inputImageTokensOf(rule: Pick<OutputTokens, 'formula'>, width: number, height: number): number {
  if (rule.formula === 'pixel-tiers') return 1_120;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  const [fittedWidth, fittedHeight] = [width * fit, height * fit];
  const shrink = Math.min(1, 768 / Math.min(fittedWidth, fittedHeight));
  const tiles = Math.ceil((fittedWidth * shrink) / 512) * Math.ceil((fittedHeight * shrink) / 512);
  return 85 + 170 * tiles;
}
