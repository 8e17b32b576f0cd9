/**
 * Money is integer micro-USD inside imagegate (1 USD = 1,000,000). Floats appear only at the
 * edge, in API responses, rounded to 6 decimals.
 */
export type Micros = bigint;

export const MICROS_PER_USD = 1_000_000n;

/** USD (as written in a catalog or request, e.g. 0.042) to micro-USD, rounding half away from zero. */
export function usdToMicros(usd: number): Micros {
  if (!Number.isFinite(usd)) throw new RangeError(`not a finite amount: ${usd}`);
  return BigInt(Math.round(usd * 1_000_000));
}

/** micro-USD to a JSON number of USD with at most 6 decimals. */
export function microsToUsd(micros: Micros): number {
  return Number(micros) / 1_000_000;
}
