/** A function returning uniformly distributed numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * Mulberry32: tiny, fast and good enough for fault dice. Deterministic per seed so a flaky-looking
 * run can be replayed exactly.
 * @param seed any integer; only the low 32 bits are used.
 */
export function createSeededRng(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
