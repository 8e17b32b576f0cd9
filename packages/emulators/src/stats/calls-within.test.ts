import { expect, it } from 'vitest';
import { mostCallsWithin } from './calls-within.ts';

it.each([
  [[], 0],
  [[5], 1],
  [[0, 999], 2],
  [[0, 1_000], 1],
  [[2_500, 0, 100, 1_050, 1_099, 900], 4],
])('counts the most calls of %j within one second: %i', (times, most) => {
  expect(mostCallsWithin(times)).toBe(most);
});
