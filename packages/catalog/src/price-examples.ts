import { microsToUsd } from '@imagegate/core';
import type { CatalogModel } from './catalog-schema.ts';
import { parseSize } from './image-shape.ts';
import { freezePrices, unitPriceAt } from './pricing.ts';

/** Sizes people ask for most, tried on every free-size model (those it cannot make are left out). */
const COMMON_FREE_SIZES = ['1024x1024', '1536x1024', '1024x1536', '1536x864', '2048x2048', '2560x1440', '3840x2160'];
/** Shapes shown for aspect-ratio models, at each resolution class. */
const COMMON_ASPECT_RATIOS = ['1:1', '16:9'];

/** The sizes a model's price examples are given for. */
export function commonSizes(model: CatalogModel): string[] {
  const sizes = model.capabilities.sizes;
  if (sizes.mode === 'fixed') return sizes.values;
  if (sizes.mode === 'aspect') {
    return sizes.options
      .filter((option) => COMMON_ASPECT_RATIOS.includes(option.aspectRatio))
      .map((option) => option.size);
  }
  return COMMON_FREE_SIZES.filter((size) => {
    const parsed = parseSize(size);
    if (parsed === undefined) return false;
    const { width, height } = parsed;
    const pixels = width * height;
    return (
      width % sizes.multipleOf === 0 &&
      height % sizes.multipleOf === 0 &&
      Math.max(width, height) <= sizes.maxEdge &&
      pixels >= sizes.minPixels &&
      pixels <= sizes.maxPixels
    );
  });
}

export interface PriceExample {
  size: string;
  /** A quality the model takes; `default` for models without a quality knob. */
  quality: string;
  /** List price of one image (before markup) for an empty prompt and no input image. */
  usd: number;
}

/** What one image costs at the model's common sizes and each of its qualities: the quote table. */
export function priceExamples(model: CatalogModel): PriceExample[] {
  const prices = freezePrices(model);
  const named = model.capabilities.qualities.filter((quality) => quality !== 'auto');
  const qualities = named.length > 0 ? named : ['default'];
  return commonSizes(model).flatMap((size) =>
    qualities.map((quality) => ({ size, quality, usd: microsToUsd(unitPriceAt(prices, parseSize(size), quality)) })),
  );
}

/**
 * A per-image table by output pixels where the rule allows one (per image, per megapixel); token
 * prices are not monotonic in area, so they have none (see `priceExamples`).
 */
export function pixelTiers(model: CatalogModel): { maxPixels: number; usd: Record<string, number> }[] {
  const pricing = model.pricing;
  if (pricing.rule === 'per_image') return pricing.tiers.map((tier) => ({ maxPixels: tier.maxPixels, usd: tier.usd }));
  if (pricing.rule === 'per_token') return [];
  const sizes = model.capabilities.sizes;
  const maxPixels = sizes.mode === 'free' ? sizes.maxPixels : 4_194_304;
  const prices = freezePrices(model);
  const tiers: { maxPixels: number; usd: Record<string, number> }[] = [];
  for (let bound = pricing.megapixel; ; bound += pricing.megapixel) {
    const last = bound >= maxPixels;
    const tierMax = last ? maxPixels : bound;
    tiers.push({
      maxPixels: tierMax,
      usd: { default: microsToUsd(unitPriceAt(prices, { width: tierMax, height: 1 }, 'default')) },
    });
    if (last) return tiers;
  }
}
