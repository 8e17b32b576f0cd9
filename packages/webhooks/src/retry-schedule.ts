/** The default (docs/api.md, "Webhooks"): retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failed attempt. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `5s,5m,2h` (units ms, s, m, h) as milliseconds; an empty string means no retries. */
export function parseRetrySchedule(value: string): number[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(entry);
      if (!match) throw new Error(`'${entry}' is not a duration like 500ms, 5s, 5m or 2h`);
      return Math.round(Number(match[1]) * (UNITS_MS[match[2] ?? 's'] ?? 1_000));
    });
}

/** How much the delays vary either way, so receivers that fail together are not retried together. */
const JITTER = 0.2;

/**
 * Milliseconds until the next attempt after `failures` consecutive failed attempts, with ±20 %
 * jitter; undefined when the schedule is used up and the delivery has failed.
 */
export function nextRetryDelayMs(
  schedule: readonly number[],
  failures: number,
  random: () => number = Math.random,
): number | undefined {
  const delay = schedule[failures - 1];
  if (delay === undefined) return undefined;
  return Math.round(delay * (1 - JITTER + 2 * JITTER * random()));
}
