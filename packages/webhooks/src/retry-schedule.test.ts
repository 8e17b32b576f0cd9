import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, nextRetryDelayMs, parseRetrySchedule } from './retry-schedule.ts';

describe('parseRetrySchedule', () => {
  it('reads the documented default schedule', () => {
    expect(parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE)).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('reads milliseconds and fractions, and an empty schedule as no retries', () => {
    expect(parseRetrySchedule('200ms, 1.5s')).toEqual([200, 1_500]);
    expect(parseRetrySchedule('')).toEqual([]);
  });

  it.each(['5', '5 minutes', 's', '-1s'])('refuses %j', (value) => {
    expect(() => parseRetrySchedule(value)).toThrow(/not a duration/);
  });
});

describe('nextRetryDelayMs', () => {
  const schedule = [1_000, 10_000];

  it('takes the delay for the number of failures so far, with at most 20 % jitter either way', () => {
    expect(nextRetryDelayMs(schedule, 1, () => 0)).toBe(800);
    expect(nextRetryDelayMs(schedule, 1, () => 1)).toBe(1_200);
    expect(nextRetryDelayMs(schedule, 2, () => 0.5)).toBe(10_000);
  });

  it('is undefined once the schedule is used up', () => {
    expect(nextRetryDelayMs(schedule, 3)).toBeUndefined();
    expect(nextRetryDelayMs([], 1)).toBeUndefined();
  });
});
