import type { IssueList } from './pydantic-errors.ts';

/** Widest and tallest ratios Kontext and Ultra accept: 21:9 … 9:21. */
const MAX_RATIO = 21 / 9;

/**
 * Validates an `aspect_ratio` string (`W:H`, positive integers, between 21:9 and 9:21) and
 * returns the output size for a pixel budget, both edges multiples of 32.
 * @param megapixels output budget in units of 1024² pixels (Kontext ≈1, Ultra ≈4).
 */
export function readAspectRatio(
  raw: string | undefined,
  fallback: string,
  megapixels: number,
  issues: IssueList,
): { width: number; height: number } | undefined {
  const value = raw ?? fallback;
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(value);
  const w = Number(match?.[1]);
  const h = Number(match?.[2]);
  if (!match || w <= 0 || h <= 0) {
    issues.add(
      'aspect_ratio',
      'value_error',
      "Value error, Invalid aspect ratio format. Expected 'width:height', e.g. '16:9'.",
      value,
      {
        error: {},
      },
    );
    return undefined;
  }
  const ratio = w / h;
  // A small tolerance so 21:9 and 9:21 themselves pass despite floating point.
  if (ratio > MAX_RATIO + 1e-9 || ratio < 1 / MAX_RATIO - 1e-9) {
    issues.add('aspect_ratio', 'value_error', 'Value error, Aspect ratio must be between 21:9 and 9:21.', value, {
      error: {},
    });
    return undefined;
  }
  const area = megapixels * 1024 * 1024;
  return { width: roundTo32(Math.sqrt(area * ratio)), height: roundTo32(Math.sqrt(area / ratio)) };
}

function roundTo32(value: number): number {
  return Math.max(32, Math.round(value / 32) * 32);
}
