import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.ts';

describe('newId', () => {
  it('carries its prefix and sorts by creation time', () => {
    const earlier = newId('job');
    const later = newId('job', Date.now() + 1);
    expect(earlier).toMatch(/^job_[0-9a-z]{26}$/);
    expect(earlier < later).toBe(true);
  });

  it('is unique and in creation order across many calls in the same millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('key', 2_000_000_000_000));
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('isId', () => {
  it('accepts only well-formed ids of the given prefix', () => {
    expect(isId('job', newId('job'))).toBe(true);
    expect(isId('acct', newId('job'))).toBe(false);
    expect(isId('job', "job_' or 1=1 --")).toBe(false);
  });
});
