import type { FrozenPrices } from '@imagegate/contracts';
import { type Micros, usdToMicros } from '@imagegate/core';
import type { CatalogModel } from './catalog-schema.ts';
import { parseSize } from './image-shape.ts';
import type { GenerationParameters } from './parameters.ts';

type PricedQuality = 'low' | 'medium' | 'high';
const PRICED_QUALITIES: readonly PricedQuality[] = ['low', 'medium', 'high'];

export type { FrozenPrices } from '@imagegate/contracts';

export interface Quote {
  /** Catalog price of one image (the dearest outcome the request allows), before markup. */
  unitMicros: Micros;
  /** What one image costs this account: unit × markup. */
  perImageMicros: Micros;
  /** Taken from the available balance at submission: per image × n. */
  holdMicros: Micros;
}

// Catalog models never change after loading (a new catalog is a new object), so each model's
// price table is converted once rather than on every submit.
const frozenByModel = new WeakMap<CatalogModel, FrozenPrices>();

/** A model's prices as they are frozen on a job: micro-USD as strings (jsonb has no bigint). */
export function freezePrices(model: CatalogModel): FrozenPrices {
  const cached = frozenByModel.get(model);
  if (cached) return cached;
  const frozen: FrozenPrices = {
    tiers: model.pricing.tiers.map((tier) => ({
      maxPixels: tier.maxPixels,
      micros: Object.fromEntries(Object.entries(tier.usd).map(([quality, usd]) => [quality, String(usdToMicros(usd))])),
    })),
  };
  frozenByModel.set(model, frozen);
  return frozen;
}

/** unit × markup, rounded half up to the micro-dollar. */
export function withMarkup(unitMicros: Micros, markupPermille: number): Micros {
  return (unitMicros * BigInt(markupPermille) + 500n) / 1000n;
}

function priceOf(prices: FrozenPrices, pixels: number, quality: PricedQuality): Micros {
  const tier = prices.tiers.find((candidate) => pixels <= candidate.maxPixels) ?? prices.tiers.at(-1);
  // `default` prices models without a quality knob, whatever quality the request names.
  const value = tier?.micros[quality] ?? tier?.micros.default ?? tier?.micros.high;
  if (value === undefined) throw new Error(`no price for quality ${quality}`);
  return BigInt(value);
}

/** Output pixel counts a request may end up with (`auto` lets the model pick among its standard sizes). */
function possiblePixels(model: CatalogModel, size: string): number[] {
  const parsed = parseSize(size);
  if (parsed) return [parsed.width * parsed.height];
  const sizes = model.capabilities.sizes;
  const standard =
    sizes.mode === 'fixed'
      ? sizes.values
      : sizes.mode === 'aspect'
        ? sizes.options.map((option) => option.size)
        : [sizes.default, '1536x1024', '1024x1536'];
  return standard.flatMap((value) => {
    const each = parseSize(value);
    return each ? [each.width * each.height] : [];
  });
}

/** The dearest unit price a request can incur: what the hold must cover. */
export function maxUnitPrice(
  model: CatalogModel,
  prices: FrozenPrices,
  parameters: Pick<GenerationParameters, 'size' | 'quality'>,
): Micros {
  const qualities = parameters.quality === 'auto' ? PRICED_QUALITIES : [parameters.quality];
  let max = 0n;
  for (const pixels of possiblePixels(model, parameters.size)) {
    for (const quality of qualities) {
      const price = priceOf(prices, pixels, quality);
      if (price > max) max = price;
    }
  }
  return max;
}

export function quote(model: CatalogModel, parameters: GenerationParameters, markupPermille: number): Quote {
  const unitMicros = maxUnitPrice(model, freezePrices(model), parameters);
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
  const parsed = parseSize(outcome.size);
  const pixels = parsed ? parsed.width * parsed.height : Number.MAX_SAFE_INTEGER;
  const quality = PRICED_QUALITIES.find((priced) => priced === outcome.quality) ?? 'high';
  const unitMicros = priceOf(outcome.prices, pixels, quality);
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
