import type { Redis } from './redis-connection.ts';

/** How far back failures are reported. */
const HOUR_MINUTES = 60;

/** One minute's failed upstream attempts of a provider: a hash, error code → count. */
function failuresKey(prefix: string, provider: string, minute: number): string {
  return `${prefix}:failures:${provider}:${minute}`;
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/**
 * Counts a failed upstream attempt under its error code (closed list, so the hash stays small), in
 * a bucket per minute that outlives the hour it is reported for.
 */
export async function recordAttemptFailure(
  redis: Redis,
  prefix: string,
  provider: string,
  code: string,
  now = Date.now(),
): Promise<void> {
  const key = failuresKey(prefix, provider, minuteOf(now));
  await redis
    .multi()
    .hincrby(key, code, 1)
    .expire(key, (HOUR_MINUTES + 1) * 60)
    .exec();
}

export interface FailureCount {
  code: string;
  count: number;
}

/** A provider's failed upstream attempts in the last hour (this minute and the 59 before), most frequent first. */
export async function readRecentFailures(
  redis: Redis,
  prefix: string,
  provider: string,
  now = Date.now(),
): Promise<FailureCount[]> {
  const pipeline = redis.pipeline();
  const minute = minuteOf(now);
  for (let back = 0; back < HOUR_MINUTES; back++) pipeline.hgetall(failuresKey(prefix, provider, minute - back));
  const counts = new Map<string, number>();
  for (const [error, hash] of (await pipeline.exec()) ?? []) {
    if (error) throw error;
    for (const [code, count] of Object.entries((hash ?? {}) as Record<string, string>)) {
      counts.set(code, (counts.get(code) ?? 0) + Number(count));
    }
  }
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
