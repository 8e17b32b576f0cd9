import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createCallLimiter, readCallLimiterHold } from './call-limiter.ts';
import { deleteKeysWithPrefix } from './delete-prefix.ts';
import { limitFor, parseProviderLimits } from './provider-limits.ts';
import { createRedisConnection } from './redis-connection.ts';

const redis = createRedisConnection(inject('testServices').redisUrl);
const prefix = `igtest-${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
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

  it("tells what holds the next call: the pause left, and the paced schedule's next slot", async () => {
    expect(await readCallLimiterHold(redis, prefix, 'untouched')).toEqual({ pausedMs: 0, nextSlotMs: 0 });
    const limiter = createCallLimiter(redis, prefix, 'held', parseLimitOf('1rps/5'));
    expect(await limiter.tryAcquire()).toBe(0);
    const paced = await readCallLimiterHold(redis, prefix, 'held');
    expect(paced.pausedMs).toBe(0);
    // The next slot is one spacing (1.04 s) after this call.
    expect(paced.nextSlotMs).toBeGreaterThan(900);
    expect(paced.nextSlotMs).toBeLessThanOrEqual(1_040);
    await limiter.pause(5_000);
    const paused = await readCallLimiterHold(redis, prefix, 'held');
    expect(paused.pausedMs).toBeGreaterThan(4_800);
    expect(paused.pausedMs).toBeLessThanOrEqual(5_000);
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
