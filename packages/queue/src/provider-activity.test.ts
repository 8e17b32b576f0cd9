import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readRecentFailures, recordAttemptFailure } from './attempt-failures.ts';
import { createCallLimiter, readCallLimiterState } from './call-limiter.ts';
import { deleteKeysWithPrefix } from './delete-prefix.ts';
import { workerHeartbeatKey } from './queue-names.ts';
import { createRedisConnection } from './redis-connection.ts';
import { beatWorkerHeartbeat, endWorkerHeartbeat, readWorkersSeen, workersSeenKey } from './worker-heartbeats.ts';

/** What the workers leave in Redis for the admin API's provider status. */

const redis = createRedisConnection(inject('testServices').redisUrl);
const prefix = `igtest-${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('worker heartbeats', () => {
  it('lists each worker serving a provider until it stops or its beat is older than 30 s', async () => {
    await beatWorkerHeartbeat(redis, prefix, 'host-a:1:aaaa', ['openai', 'bfl']);
    await beatWorkerHeartbeat(redis, prefix, 'host-b:2:bbbb', ['openai']);
    const now = Math.floor(Date.now() / 1000);
    const openai = await readWorkersSeen(redis, prefix, 'openai');
    expect(openai.map((worker) => worker.id).sort()).toEqual(['host-a:1:aaaa', 'host-b:2:bbbb']);
    for (const worker of openai) expect(Math.abs(worker.lastSeenAt - now)).toBeLessThanOrEqual(2);
    expect((await readWorkersSeen(redis, prefix, 'bfl')).map((worker) => worker.id)).toEqual(['host-a:1:aaaa']);
    // What ingress admission checks: someone serves the provider.
    expect(await redis.exists(workerHeartbeatKey(prefix, 'bfl'))).toBe(1);

    await endWorkerHeartbeat(redis, prefix, 'host-b:2:bbbb', ['openai']);
    expect((await readWorkersSeen(redis, prefix, 'openai')).map((worker) => worker.id)).toEqual(['host-a:1:aaaa']);

    // A worker that died 31 s ago without a word.
    const [seconds] = await redis.time();
    await redis.zadd(workersSeenKey(prefix, 'openai'), (Number(seconds) - 31) * 1000, 'host-c:3:cccc');
    expect((await readWorkersSeen(redis, prefix, 'openai')).map((worker) => worker.id)).toEqual(['host-a:1:aaaa']);
  });
});

describe('recent failures', () => {
  it('adds up the last hour by error code, most frequent first, and forgets older minutes', async () => {
    const now = Date.now();
    await recordAttemptFailure(redis, prefix, 'google', 'upstream_error', now);
    await recordAttemptFailure(redis, prefix, 'google', 'rate_limited', now - 10 * 60_000);
    await recordAttemptFailure(redis, prefix, 'google', 'rate_limited', now - 59 * 60_000);
    await recordAttemptFailure(redis, prefix, 'google', 'timeout', now - 61 * 60_000);
    await recordAttemptFailure(redis, prefix, 'openai', 'timeout', now);
    expect(await readRecentFailures(redis, prefix, 'google', now)).toEqual([
      { code: 'rate_limited', count: 2 },
      { code: 'upstream_error', count: 1 },
    ]);
    expect(await readRecentFailures(redis, prefix, 'bfl', now)).toEqual([]);
  });
});

describe('call limiter state', () => {
  it('counts the calls let go in the last minute, whatever the window, and shows a pause', async () => {
    const limiter = createCallLimiter(redis, prefix, 'fast', {
      requests: 100,
      windowMs: 1_000,
      concurrency: 10,
      maxQueued: 100,
    });
    expect(await readCallLimiterState(redis, prefix, 'fast')).toEqual({ callsLastMinute: 0, pausedUntilMs: null });
    expect(await limiter.tryAcquire(3)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the 1 s window
    expect((await readCallLimiterState(redis, prefix, 'fast')).callsLastMinute).toBe(3);
    await limiter.pause(5_000);
    const paused = await readCallLimiterState(redis, prefix, 'fast');
    expect(paused.pausedUntilMs).toBeGreaterThan(Date.now() + 4_000);
    expect(paused.pausedUntilMs).toBeLessThanOrEqual(Date.now() + 5_000);
    // A paused limiter lets nothing go, and counts nothing.
    expect(await limiter.tryAcquire()).toBeGreaterThan(0);
    expect((await readCallLimiterState(redis, prefix, 'fast')).callsLastMinute).toBe(3);
  });
});
