import { defaultProviderLimits } from '@imagegate/providers';
import { describe, expect, it } from 'vitest';
import { describeLimit, describeRate, limitFor, parseProviderLimits } from './provider-limits.ts';

describe('parseProviderLimits', () => {
  it('keeps the defaults and lets entries override them', () => {
    const limits = parseProviderLimits('openai=10rps/5/40, custom=30rpm/2', defaultProviderLimits());
    expect(limits.get('openai')).toEqual({ requests: 10, windowMs: 1_000, concurrency: 5, maxQueued: 40 });
    expect(limits.get('custom')).toEqual({ requests: 30, windowMs: 60_000, concurrency: 2, maxQueued: 300 });
    expect(limits.get('bfl')).toMatchObject({ requests: 300, windowMs: 60_000, concurrency: 24 });
    expect(limitFor(limits, 'unknown')).toMatchObject({ requests: 60, concurrency: 10 });
  });

  it('a later entry for the same provider wins (a test stack sets generous limits, then its own)', () => {
    const limits = parseProviderLimits('openai=100000rpm/500,openai=60rpm/4', defaultProviderLimits());
    expect(limits.get('openai')).toMatchObject({ requests: 60, windowMs: 60_000, concurrency: 4 });
  });

  it('defaults to what a new upstream account is allowed: OpenAI Tier 1 (5 images/min), Gemini Tier 1 (20/min)', () => {
    const limits = parseProviderLimits(undefined, defaultProviderLimits());
    expect(limits.get('openai')).toEqual({ requests: 5, windowMs: 60_000, concurrency: 5, maxQueued: 100 });
    expect(limits.get('google')).toMatchObject({ requests: 20, windowMs: 60_000, concurrency: 10 });
  });

  it.each(['openai', 'openai=fast', 'openai=10rph/5', 'openai=0rps/5', '=10rps/5'])('refuses %j', (text) => {
    expect(() => parseProviderLimits(text, defaultProviderLimits())).toThrow(/PROVIDER_LIMITS/);
  });
});

describe('describeLimit', () => {
  it('says the limit as an operator writes it, per minute or per second', () => {
    const limits = parseProviderLimits('a=500rpm/50,b=10rps/24', {});
    expect(describeLimit(limitFor(limits, 'a'))).toBe('500 requests/min, 50 at once');
    expect(describeRate(limitFor(limits, 'b'))).toBe('10 requests/s');
  });
});
