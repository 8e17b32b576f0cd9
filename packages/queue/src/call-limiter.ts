import { randomUUID } from 'node:crypto';
import type { ProviderLimit } from './provider-limits.ts';
import type { Redis } from './redis-connection.ts';

/**
 * A sliding-window log of upstream calls per provider, in Redis so every worker process shares it,
 * timed by Redis's clock so the processes need not agree on theirs. A call may start when fewer
 * than `requests` calls started in the last window. A separate key, set from an upstream 429's
 * Retry-After, stops every call to the provider until it expires.
 *
 * The window is taken 2 % longer than configured: the log records when a call was allowed, the
 * upstream counts when it arrived, and the few milliseconds between the two must not let a call of
 * one window land inside the next.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= max then
  for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[4] .. i) end
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], count + cost - max - 1, count + cost - max - 1, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

export interface CallLimiter {
  /**
   * Takes `cost` calls from the provider's allowance if it has them: 0, or else the milliseconds
   * until it will (the caller waits or hands the job back; nothing was taken).
   */
  tryAcquire(cost?: number): Promise<number>;
  /** Stops every call to the provider for `ms` (an upstream 429's Retry-After); never shortens a pause. */
  pause(ms: number): Promise<void>;
}

export function createCallLimiter(redis: Redis, prefix: string, provider: string, limit: ProviderLimit): CallLimiter {
  const logKey = `${prefix}:limits:${provider}:calls`;
  const pauseKey = `${prefix}:limits:${provider}:paused`;
  const windowMs = Math.ceil(limit.windowMs * 1.02);
  return {
    async tryAcquire(cost = 1) {
      const calls = Math.min(Math.max(1, cost), limit.requests);
      const wait = await redis.eval(ACQUIRE, 2, logKey, pauseKey, windowMs, limit.requests, calls, `${randomUUID()}:`);
      return Number(wait);
    },
    async pause(ms) {
      const current = await redis.pttl(pauseKey);
      if (current >= ms) return;
      await redis.set(pauseKey, '1', 'PX', Math.ceil(ms));
    },
  };
}
