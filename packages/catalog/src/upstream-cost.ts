import type { FrozenPrices, ImageUsage } from '@imagegate/contracts';
import type { Micros } from '@imagegate/core';
import { parseSize } from './image-shape.ts';
import { unitPriceAt } from './pricing.ts';
import { outputTokensOf } from './token-formula.ts';

/** Micro-USD of `tokens` at `usdPerMillion` (= micro-USD per token), rounded up. */
const tokenMicros = (tokens: number, usdPerMillion: number): Micros => BigInt(Math.ceil(tokens * usdPerMillion));

/** What an upstream cost us, and whether it was reported or estimated from what was made. */
export interface UpstreamCost {
  micros: Micros;
  /** `reported`: from the upstream's usage; `estimated`: from the catalog's rule for what was made. */
  basis: 'reported' | 'estimated';
}

/** The fields of a finished job its upstream cost is computed from. */
export interface CostedJob {
  model: string;
  prices: Readonly<Record<string, FrozenPrices>>;
  images: readonly unknown[] | null;
  result: { size: string; quality: string; usage?: ImageUsage | undefined } | null;
}

/**
 * What a succeeded job cost us upstream, at the rates frozen on it: the upstream's reported usage
 * where it gives one (OpenAI and Gemini tokens, SVG author tokens, BFL credits), else the rule's
 * price of what was made. Output tokens are all priced at the image output rate, which errs on the
 * dear side for Gemini's thinking tokens (billed at its lower text rate). Zero without a result.
 */
export function upstreamCostOf(job: CostedJob): UpstreamCost {
  const prices = job.prices[job.model];
  const result = job.result;
  if (prices === undefined || result === null) return { micros: 0n, basis: 'estimated' };
  const images = job.images?.length ?? 0;
  const usage = result.usage;
  if (prices.rule === 'per_token' && usage?.output_tokens !== undefined) {
    const textIn = usage.input_tokens_details?.text_tokens ?? usage.input_tokens ?? 0;
    const imageIn = usage.input_tokens_details?.image_tokens ?? 0;
    const svg = usage.svg_usage;
    // The SVG author model's tokens, at the text input rate (its own rates are not in the catalog).
    const svgTokens = (svg?.input_tokens ?? 0) + (svg?.output_tokens ?? 0);
    const micros =
      tokenMicros(textIn, prices.rates.textInput) +
      tokenMicros(imageIn, prices.rates.imageInput) +
      tokenMicros(usage.output_tokens, prices.rates.imageOutput) +
      tokenMicros(svgTokens, prices.rates.textInput);
    return { micros, basis: 'reported' };
  }
  if (prices.rule === 'per_megapixel' && usage?.cost !== undefined) {
    // BFL reports credits per task; a job's usage sums its tasks.
    return { micros: BigInt(Math.round(usage.cost * 10_000)), basis: 'reported' };
  }
  const size = parseSize(result.size);
  if (prices.rule === 'per_token') {
    const { width, height } = size ?? { width: 2880, height: 2880 };
    const tokens = outputTokensOf(prices.output, width, height, result.quality) * images;
    return { micros: tokenMicros(tokens, prices.rates.imageOutput) + BigInt(prices.inputMicros), basis: 'estimated' };
  }
  return { micros: unitPriceAt(prices, size, result.quality) * BigInt(images), basis: 'estimated' };
}
