import type { FrozenPrices } from '@imagegate/contracts';
import { type Micros, usdToMicros } from '@imagegate/core';
import type { CatalogModel } from './catalog-schema.ts';
import { parseSize } from './image-shape.ts';
import type { GenerationParameters } from './parameters.ts';
import { estimateTextTokens, inputImageTokensOf, outputTokensOf } from './token-formula.ts';

export type { FrozenPrices } from '@imagegate/contracts';

export interface Quote {
  /** Catalog price of one image (the dearest outcome the request allows), before markup. */
  unitMicros: Micros;
  /** What one image costs this account: unit × markup. */
  perImageMicros: Micros;
  /** Taken from the available balance at submission: per image × n. */
  holdMicros: Micros;
}

/** What a request brings in besides its parameters, priced by token and megapixel rules. */
export interface PricingInputs {
  /** The prompt, billed as text input tokens by token-priced models. */
  prompt?: string | undefined;
  /** The decoded sizes of an edit's input images (the mask included): image input tokens, input megapixels. */
  inputImages?: readonly { width: number; height: number }[] | undefined;
  /** Partial images streamed per image: OpenAI bills each as extra output tokens. */
  partialImages?: number | undefined;
  /**
   * Images one upstream call makes for this request (default 1): a token-priced upstream bills the
   * input (prompt, input images) once per call, so each image carries its share.
   */
  imagesPerCall?: number | undefined;
}

/** Output tokens OpenAI bills per partial image (image generation guide: "100 additional output tokens"). */
export const PARTIAL_IMAGE_OUTPUT_TOKENS = 100;

/** Micro-USD of `tokens` at `usdPerMillion` (= micro-USD per token), rounded up. */
const tokenMicros = (tokens: number, usdPerMillion: number): Micros => BigInt(Math.ceil(tokens * usdPerMillion));

// Catalog models never change after loading (a new catalog is a new object), so the rate part of
// each model's prices is converted once; only a request's input cost is added per submission.
const frozenByModel = new WeakMap<CatalogModel, FrozenPrices>();

function freezeRates(model: CatalogModel): FrozenPrices {
  const cached = frozenByModel.get(model);
  if (cached) return cached;
  const pricing = model.pricing;
  let frozen: FrozenPrices;
  if (pricing.rule === 'per_token') {
    frozen = { rule: 'per_token', rates: { ...pricing.rates }, output: pricing.output, inputMicros: '0' };
  } else if (pricing.rule === 'per_megapixel') {
    frozen = {
      rule: 'per_megapixel',
      megapixel: pricing.megapixel,
      firstMicros: String(usdToMicros(pricing.firstMegapixelUsd)),
      extraMicros: String(usdToMicros(pricing.extraMegapixelUsd)),
      inputMegapixelMicros: String(usdToMicros(pricing.inputMegapixelUsd)),
      inputMicros: '0',
    };
  } else {
    frozen = {
      tiers: pricing.tiers.map((tier) => ({
        maxPixels: tier.maxPixels,
        micros: Object.fromEntries(
          Object.entries(tier.usd).map(([quality, usd]) => [quality, String(usdToMicros(usd))]),
        ),
      })),
    };
  }
  frozenByModel.set(model, frozen);
  return frozen;
}

/**
 * A model's prices as they are frozen on a job: the rule's rates in micro-USD, and what this
 * request's input (prompt tokens, input images, input megapixels) costs per image. Token-priced
 * upstreams bill the input once per call, so it is shared by the images of a call (rounded up).
 */
export function freezePrices(model: CatalogModel, inputs: PricingInputs = {}): FrozenPrices {
  const frozen = freezeRates(model);
  const images = inputs.inputImages ?? [];
  if (frozen.rule === 'per_token') {
    const textTokens = inputs.prompt === undefined ? 0 : estimateTextTokens(inputs.prompt);
    const imageTokens = images.reduce(
      (sum, image) => sum + inputImageTokensOf(frozen.output, image.width, image.height),
      0,
    );
    // Partials are output, but a fixed amount per image: they ride with the per-image input cost.
    const partialTokens =
      frozen.output.formula === 'openai-tiles' ? PARTIAL_IMAGE_OUTPUT_TOKENS * (inputs.partialImages ?? 0) : 0;
    const perCall = BigInt(Math.max(1, inputs.imagesPerCall ?? 1));
    const inputPerCall =
      tokenMicros(textTokens, frozen.rates.textInput) + tokenMicros(imageTokens, frozen.rates.imageInput);
    const micros = (inputPerCall + perCall - 1n) / perCall + tokenMicros(partialTokens, frozen.rates.imageOutput);
    return { ...frozen, inputMicros: String(micros) };
  }
  if (frozen.rule === 'per_megapixel' && images.length > 0) {
    // Each image counted in whole megapixels started: BFL does not say how it rounds, so this errs dear.
    const megapixels = images.reduce(
      (sum, image) => sum + Math.ceil((image.width * image.height) / frozen.megapixel),
      0,
    );
    return { ...frozen, inputMicros: String(BigInt(megapixels) * BigInt(frozen.inputMegapixelMicros)) };
  }
  return frozen;
}

/** unit × markup, rounded half up to the micro-dollar. */
export function withMarkup(unitMicros: Micros, markupPermille: number): Micros {
  return (unitMicros * BigInt(markupPermille) + 500n) / 1000n;
}

/** A size in pixels; `undefined` when the size is not `WxH` (the dearest the model may make then). */
type Dimensions = { width: number; height: number } | undefined;

/**
 * What one image of `dimensions` at `quality` costs under frozen prices, before markup. A quality
 * the prices do not name (`auto`) costs the dearest; an unknown size the dearest tier.
 */
export function unitPriceAt(prices: FrozenPrices, dimensions: Dimensions, quality: string): Micros {
  if (prices.rule === 'per_token') {
    // An unknown size is priced as the largest square a free-size model makes (8.3 MP).
    const { width, height } = dimensions ?? { width: 2880, height: 2880 };
    const tokens = outputTokensOf(prices.output, width, height, quality);
    return tokenMicros(tokens, prices.rates.imageOutput) + BigInt(prices.inputMicros);
  }
  if (prices.rule === 'per_megapixel') {
    const pixels = dimensions === undefined ? 16 * prices.megapixel : dimensions.width * dimensions.height;
    const further = BigInt(Math.max(0, Math.ceil((pixels - prices.megapixel) / prices.megapixel)));
    return BigInt(prices.firstMicros) + further * BigInt(prices.extraMicros) + BigInt(prices.inputMicros);
  }
  const pixels = dimensions === undefined ? Number.MAX_SAFE_INTEGER : dimensions.width * dimensions.height;
  const tier = prices.tiers.find((candidate) => pixels <= candidate.maxPixels) ?? prices.tiers.at(-1);
  const micros: Readonly<Record<string, string | undefined>> = tier?.micros ?? {};
  // `default` prices models without a quality knob, whatever quality the request names; a quality
  // the table lacks (`auto`) costs its dearest.
  const value =
    micros[quality] ??
    micros.default ??
    Object.values(micros).reduce<string | undefined>(
      (dearest, each) =>
        each !== undefined && (dearest === undefined || BigInt(each) > BigInt(dearest)) ? each : dearest,
      undefined,
    );
  if (value === undefined) throw new Error(`no price for quality ${quality}`);
  return BigInt(value);
}

/** Output sizes a request may end up with (`auto` lets the model pick among its standard sizes). */
function possibleSizes(model: CatalogModel, size: string): Dimensions[] {
  const parsed = parseSize(size);
  if (parsed) return [parsed];
  const sizes = model.capabilities.sizes;
  const standard =
    sizes.mode === 'fixed'
      ? sizes.values
      : sizes.mode === 'aspect'
        ? sizes.options.map((option) => option.size)
        : [sizes.default, '1536x1024', '1024x1536'];
  return standard.flatMap((value) => {
    const each = parseSize(value);
    return each ? [each] : [];
  });
}

/** The qualities a request may be rendered at: `auto` may be any the model has. */
function possibleQualities(model: CatalogModel, quality: string): string[] {
  if (quality !== 'auto') return [quality];
  const named = model.capabilities.qualities.filter((each) => each !== 'auto');
  return named.length > 0 ? named : ['auto'];
}

/** The dearest unit price a request can incur: what the hold must cover. */
export function maxUnitPrice(
  model: CatalogModel,
  prices: FrozenPrices,
  parameters: Pick<GenerationParameters, 'size' | 'quality'>,
): Micros {
  let max = 0n;
  for (const dimensions of possibleSizes(model, parameters.size)) {
    for (const quality of possibleQualities(model, parameters.quality)) {
      const price = unitPriceAt(prices, dimensions, quality);
      if (price > max) max = price;
    }
  }
  return max;
}

export function quote(
  model: CatalogModel,
  parameters: GenerationParameters,
  markupPermille: number,
  inputs: PricingInputs = {},
): Quote {
  const unitMicros = maxUnitPrice(model, freezePrices(model, inputs), parameters);
  const perImageMicros = withMarkup(unitMicros, markupPermille);
  return { unitMicros, perImageMicros, holdMicros: perImageMicros * BigInt(parameters.n) };
}

/**
 * What a succeeded job costs: the frozen unit price of what was actually made (output size and
 * resolved quality) × images delivered, at the frozen markup, never more than the hold.
 */
export function chargeFor(outcome: {
  prices: FrozenPrices;
  markupPermille: number;
  holdMicros: Micros;
  imagesDelivered: number;
  size: string;
  quality: string;
}): { unitMicros: Micros; chargeMicros: Micros } {
  const unitMicros = unitPriceAt(outcome.prices, parseSize(outcome.size), outcome.quality);
  const charge = withMarkup(unitMicros, outcome.markupPermille) * BigInt(outcome.imagesDelivered);
  return { unitMicros, chargeMicros: charge < outcome.holdMicros ? charge : outcome.holdMicros };
}

/** The fields of a job row that decide its price. */
export interface PricedJob {
  model: string;
  prices: Readonly<Record<string, FrozenPrices>>;
  markup_permille: number;
  hold_micros: Micros;
  images: readonly unknown[] | null;
  result: { size: string; quality: string } | null;
  request: { n: number };
}

/** The charge of a succeeded job, from what was frozen on it at submission and what it delivered. */
export function chargeForJob(job: PricedJob): { perImageMicros: Micros; chargeMicros: Micros } {
  const prices = job.prices[job.model];
  if (prices === undefined || job.result === null) return { perImageMicros: 0n, chargeMicros: 0n };
  const requested = job.request.n;
  const { unitMicros, chargeMicros } = chargeFor({
    prices,
    markupPermille: job.markup_permille,
    holdMicros: job.hold_micros,
    imagesDelivered: Math.min(job.images?.length ?? 0, requested),
    size: job.result.size,
    quality: job.result.quality,
  });
  return { perImageMicros: withMarkup(unitMicros, job.markup_permille), chargeMicros };
}
