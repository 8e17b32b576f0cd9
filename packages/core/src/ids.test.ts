import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.ts';

describe('newId', () => {
  it('carries its prefix and sorts by creation time', () => {
    const earlier = newId('job', 1_700_000_000_000);
    const later = newId('job', 1_700_000_000_001);
    expect(earlier).toMatch(/^job_[0-9a-z]{26}$/);
    expect(earlier < later).toBe(true);
  });

  it('is unique across many calls in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('key', 1)));
    expect(ids.size).toBe(10_000);
  });
});

describe('isId', () => {
  it('accepts only well-formed ids of the given prefix', () => {
    expect(isId('job', newId('job'))).toBe(true);
    expect(isId('acct', newId('job'))).toBe(false);
    expect(isId('job', "job_' or 1=1 --")).toBe(false);
  });
});
