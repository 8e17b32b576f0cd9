import { randomUUID } from 'node:crypto';
import type { ProviderLimit } from './provider-limits.ts';
import type { Redis } from './redis-connection.ts';

/**
 * A sliding-window log of upstream calls per provider, in Redis so every worker process shares it,
 * timed by Redis's clock so the processes need not agree on theirs. A call may start when fewer
 * than `requests` calls started in the last window AND a spacing of window / requests has passed
 * since the last one: calls go out evenly, not in bursts at each window's start. A separate key,
 * set from an upstream 429's Retry-After, stops every call to the provider until it expires.
 *
 * The window is taken 4 % longer than configured: the log records when a call was allowed, the
 * upstream counts when it arrived, and the delay between the two (a busy event loop, a connection
 * being opened) varies; the margin keeps a late call of one window and an early one of the next
 * from landing in the same second. It costs 4 % of the allowed rate.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local spacing = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
-- Pacing by a schedule (the next call's slot), not by the last call: a call taken a little late
-- does not push every later slot back (a quarter slot either way is on time); after an idle spell
-- the schedule restarts now.
local slot = tonumber(redis.call('GET', KEYS[3]) or '0')
local tolerance = spacing / 4
if now < slot - tolerance then wait = slot - tolerance - now end
local base = slot
if now > slot + tolerance then base = now end
local count = redis.call('ZCARD', KEYS[1])
if count + cost > max then
  local oldest = redis.call('ZRANGE', KEYS[1], count + cost - max - 1, count + cost - max - 1, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now + 1)
end
if wait > 0 then return math.ceil(wait) end
for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[4] .. i) end
redis.call('PEXPIRE', KEYS[1], window)
redis.call('SET', KEYS[3], tostring(base + spacing * cost), 'PX', window)
for i = 1, cost do redis.call('ZADD', KEYS[4], now, ARGV[4] .. i) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[4], 60000)
return 0
`;

/** How many calls the limiter let go in the last minute, by Redis's clock. */
const CALLS_LAST_MINUTE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now - 60000, '+inf')
`;

/** The margin on the window (see above). */
export const LIMIT_WINDOW_MARGIN = 1.04;

/** Time between two calls of an evenly paced provider, ms (fractional). */
export function callSpacingMs(limit: ProviderLimit): number {
  return (limit.windowMs * LIMIT_WINDOW_MARGIN) / limit.requests;
}

export interface CallLimiter {
  /**
   * Takes `cost` calls from the provider's allowance if it has them: 0, or else the milliseconds
   * until it will (the caller waits or hands the job back; nothing was taken).
   */
  tryAcquire(cost?: number): Promise<number>;
  /** Stops every call to the provider for `ms` (an upstream 429's Retry-After); never shortens a pause. */
  pause(ms: number): Promise<void>;
}

/**
 * The limiter's Redis keys for one provider: the window's log of calls, the pause after a 429, the
 * next call's slot, and the log of the last minute's calls (what the admin API reports, whatever
 * the window).
 */
function limiterKeys(prefix: string, provider: string) {
  return {
    log: `${prefix}:limits:${provider}:calls`,
    pause: `${prefix}:limits:${provider}:paused`,
    slot: `${prefix}:limits:${provider}:next-slot`,
    lastMinute: `${prefix}:limits:${provider}:last-minute`,
  };
}

export function createCallLimiter(redis: Redis, prefix: string, provider: string, limit: ProviderLimit): CallLimiter {
  const { log: logKey, pause: pauseKey, slot: slotKey, lastMinute: lastMinuteKey } = limiterKeys(prefix, provider);
  const windowMs = Math.ceil(limit.windowMs * LIMIT_WINDOW_MARGIN);
  const spacingMs = callSpacingMs(limit);
  return {
    async tryAcquire(cost = 1) {
      const calls = Math.min(Math.max(1, cost), limit.requests);
      const wait = await redis.eval(
        ACQUIRE,
        4,
        logKey,
        pauseKey,
        slotKey,
        lastMinuteKey,
        windowMs,
        limit.requests,
        calls,
        `${randomUUID()}:`,
        spacingMs,
      );
      return Number(wait);
    },
    async pause(ms) {
      const current = await redis.pttl(pauseKey);
      if (current >= ms) return;
      await redis.set(pauseKey, '1', 'PX', Math.ceil(ms));
    },
  };
}

/** What the limiter knows of a provider right now, for the admin API. */
export interface CallLimiterState {
  /** Upstream calls let go in the last 60 s, by every worker. */
  callsLastMinute: number;
  /** Until when (unix ms) an upstream 429 stopped every call to the provider, or null. */
  pausedUntilMs: number | null;
}

export async function readCallLimiterState(redis: Redis, prefix: string, provider: string): Promise<CallLimiterState> {
  const keys = limiterKeys(prefix, provider);
  const [calls, pausedMs] = await Promise.all([
    redis.eval(CALLS_LAST_MINUTE, 1, keys.lastMinute),
    redis.pttl(keys.pause),
  ]);
  return { callsLastMinute: Number(calls), pausedUntilMs: pausedMs > 0 ? Date.now() + pausedMs : null };
}
