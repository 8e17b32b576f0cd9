import { describe, expect, it } from 'vitest';
import { median, percentile, round } from './stats.ts';

const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

describe('percentile', () => {
  it.each([
    [50, 50],
    [99, 99],
    [99.9, 100],
    [100, 100],
    [1, 1],
    [0, 1],
  ])('gives the nearest-rank p%s of 1..100 as %s', (p, expected) => {
    expect(percentile(oneToHundred, p)).toBe(expected);
  });

  it('rounds the rank up, so p99 of ten values is the largest', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it('answers NaN for no values rather than a number that looks measured', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle of an odd count, unsorted input included', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('round', () => {
  it('rounds to two decimals by default and to the digits asked for', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1234.5, 0)).toBe(1235);
    expect(round(0.12345, 3)).toBe(0.123);
  });
});
