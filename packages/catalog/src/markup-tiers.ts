import { type Micros, usdToMicros } from '@imagegate/core';

/** A markup that applies from a 90-day spend on. `permille` is thousandths (1500 = 1.5x). */
export interface MarkupTier {
  fromSpendMicros: Micros;
  permille: number;
}

/** The default tiers (docs/api.md, "Pricing"): 1.5x from $0, 1.4x from $10, 1.3x from $50, 1.2x from $200 (the floor). */
export const DEFAULT_MARKUP_TIERS = '0:1.5,10:1.4,50:1.3,200:1.2';

/** Parses `MARKUP_TIERS` (`<spend usd>:<multiplier>,…`), e.g. `0:1.5,10:1.4`. Must start at 0. */
export function parseMarkupTiers(text: string): MarkupTier[] {
  const tiers = text.split(',').map((part) => {
    const [spend, multiplier] = part.split(':').map((value) => Number(value.trim()));
    if (
      spend === undefined ||
      multiplier === undefined ||
      !Number.isFinite(spend) ||
      !Number.isFinite(multiplier) ||
      spend < 0 ||
      multiplier < 1
    ) {
      throw new Error(`Invalid markup tier '${part}': expected <spend usd>:<multiplier ≥ 1>`);
    }
    return { fromSpendMicros: usdToMicros(spend), permille: Math.round(multiplier * 1000) };
  });
  tiers.sort((a, b) => (a.fromSpendMicros < b.fromSpendMicros ? -1 : 1));
  if (tiers[0]?.fromSpendMicros !== 0n) throw new Error('Markup tiers must include one from 0');
  return tiers;
}

/** The tier for a 90-day spend, and the next one up (null at the floor). */
export function markupFor(
  spendMicros: Micros,
  tiers: readonly MarkupTier[],
): { current: MarkupTier; next: MarkupTier | null } {
  let index = 0;
  for (let i = 0; i < tiers.length; i++) {
    if ((tiers[i]?.fromSpendMicros ?? 0n) <= spendMicros) index = i;
  }
  const current = tiers[index] ?? { fromSpendMicros: 0n, permille: 1000 };
  return { current, next: tiers[index + 1] ?? null };
}
