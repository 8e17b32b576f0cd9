import { describe, expect, it } from 'vitest';
import { verdictAfter } from './deliver-webhook.ts';

describe('verdictAfter', () => {
  const schedule = [1_000, 60_000];
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('is succeeded when the attempt was delivered, whatever failed before', () => {
    expect(verdictAfter({ delivered: true }, 2, schedule, now)).toEqual({ status: 'succeeded' });
  });

  it('schedules the next retry from the number of failures so far', () => {
    const first = verdictAfter({ delivered: false }, 0, schedule, now);
    const second = verdictAfter({ delivered: false }, 1, schedule, now);
    expect(first.status === 'pending' && first.nextAttemptAt.getTime() - now).toBeGreaterThanOrEqual(800);
    expect(first.status === 'pending' && first.nextAttemptAt.getTime() - now).toBeLessThanOrEqual(1_200);
    expect(second.status === 'pending' && second.nextAttemptAt.getTime() - now).toBeGreaterThanOrEqual(48_000);
  });

  it('is failed once the schedule is used up', () => {
    expect(verdictAfter({ delivered: false }, 2, schedule, now)).toEqual({ status: 'failed' });
    expect(verdictAfter({ delivered: false }, 0, [], now)).toEqual({ status: 'failed' });
  });
});
