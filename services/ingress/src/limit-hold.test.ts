import { limitFor, parseProviderLimits } from '@imagegate/queue';
import { describe, expect, it } from 'vitest';
import { type LimitHold, limitHoldWarning, retryAfterSeconds } from './limit-hold.ts';

const limit = limitFor(parseProviderLimits('openai=5rpm/5', {}), 'openai');
const now = Date.parse('2026-12-03T16:00:00.000Z');

describe('limitHoldWarning', () => {
  const hold: LimitHold = { provider: 'openai', cause: 'rate_limit', limit, ahead: 12, waitMs: 149_200 };

  it('names the limit, the jobs ahead and the expected start of a queued job', () => {
    expect(limitHoldWarning(hold, 'queued', now)).toBe(
      "This job is queued behind a provider limit: provider 'openai' is limited to 5 requests/min, 5 at once. 12 jobs ahead of it; expected to start in about 150 s (2026-12-03T16:02:30Z).",
    );
  });

  it('says after the fact why a finished job waited', () => {
    expect(limitHoldWarning({ ...hold, ahead: 1 }, 'waited', now)).toBe(
      "This job waited in the queue because provider 'openai' is limited to 5 requests/min, 5 at once: 1 job ahead of it when it was accepted, expected to start about 150 s later.",
    );
  });

  it('names an upstream 429 pause as what holds it', () => {
    expect(limitHoldWarning({ ...hold, cause: 'upstream_pause' }, 'queued', now)).toContain(
      "provider 'openai' answered 429 (rate limited) and asked for a pause",
    );
  });
});

describe('retryAfterSeconds', () => {
  it('is the wait rounded up, at least 1', () => {
    const hold: LimitHold = { provider: 'openai', cause: 'rate_limit', limit, ahead: 0, waitMs: 1_001 };
    expect(retryAfterSeconds(hold)).toBe(2);
    expect(retryAfterSeconds({ ...hold, waitMs: 0 })).toBe(1);
  });
});
