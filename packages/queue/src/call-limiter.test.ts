import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultProviderLimits } from '@imagegate/providers';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createCallLimiter } from './call-limiter.ts';
import { deleteKeysWithPrefix } from './delete-prefix.ts';
import { limitFor, parseProviderLimits } from './provider-limits.ts';
import { createRedisConnection } from './redis-connection.ts';

const redis = createRedisConnection(inject('testServices').redisUrl);
const prefix = `igtest-${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('parseProviderLimits', () => {
  it('keeps the defaults and lets entries override them', () => {
    const limits = parseProviderLimits('openai=10rps/5/40, custom=30rpm/2', defaultProviderLimits());
    expect(limits.get('openai')).toEqual({ requests: 10, windowMs: 1_000, concurrency: 5, maxQueued: 40 });
    expect(limits.get('custom')).toEqual({ requests: 30, windowMs: 60_000, concurrency: 2, maxQueued: 300 });
    expect(limits.get('google')).toMatchObject({ requests: 120, windowMs: 60_000, concurrency: 20 });
    expect(limitFor(limits, 'unknown')).toMatchObject({ requests: 60, concurrency: 10 });
  });

  it.each(['openai', 'openai=fast', 'openai=10rph/5', 'openai=0rps/5', '=10rps/5'])('refuses %j', (text) => {
    expect(() => parseProviderLimits(text, defaultProviderLimits())).toThrow(/PROVIDER_LIMITS/);
  });
});

describe('createCallLimiter', () => {
  it('spaces calls evenly: one per window / requests', async () => {
    const limiter = createCallLimiter(redis, prefix, 'spaced', parseLimitOf('5rps/5'));
    expect(await limiter.tryAcquire()).toBe(0);
    const wait = await limiter.tryAcquire();
    // 1.04 s / 5 = 208 ms, less the quarter-slot tolerance.
    expect(wait).toBeGreaterThan(140);
    expect(wait).toBeLessThanOrEqual(157);
    await sleep(wait);
    expect(await limiter.tryAcquire()).toBe(0);
  });

  it('takes a job of several calls at once, within the window', async () => {
    const limiter = createCallLimiter(redis, prefix, 'costly', parseLimitOf('5rps/5'));
    expect(await limiter.tryAcquire(5)).toBe(0);
    const wait = await limiter.tryAcquire();
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1_041);
  });

  it('a pause stops every call until it expires, and a shorter pause does not shorten it', async () => {
    const limiter = createCallLimiter(redis, prefix, 'paused', parseLimitOf('100rps/5'));
    await limiter.pause(600);
    await limiter.pause(100);
    expect(await limiter.tryAcquire()).toBeGreaterThan(450);
    await sleep(650);
    expect(await limiter.tryAcquire()).toBe(0);
  });

  it('never lets more than R calls into any sliding second while a backlog drains near R', async () => {
    const limiter = createCallLimiter(redis, prefix, 'sliding', parseLimitOf('20rps/5'));
    const started: number[] = [];
    const until = Date.now() + 2_500;
    // Four callers competing, as worker processes would.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          const wait = await limiter.tryAcquire();
          if (wait === 0) started.push(performance.now());
          else await sleep(Math.min(wait, 50));
        }
      }),
    );
    started.sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < started.length; last++) {
      while ((started[last] as number) - (started[first] as number) >= 1_000) first++;
      most = Math.max(most, last - first + 1);
    }
    expect(most).toBeLessThanOrEqual(20);
    // Evenly paced: 2.5 s at 20/s less the 4 % margin, less one call for where the pacing started.
    expect(started.length).toBeGreaterThanOrEqual(Math.floor((2.5 * 20) / 1.04) - 2);
  });
});

function parseLimitOf(text: string) {
  return limitFor(parseProviderLimits(`x=${text}`, {}), 'x');
}
