/**
 * The most of `times` (epoch ms, any order) that fall within any one window of `windowMs`: what an
 * upstream enforcing "R per sliding window" would count (`EmulatorStats.callTimes`).
 */
export function mostCallsWithin(times: readonly number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
