import { randomBytes } from 'node:crypto';

/** Id prefixes (API.md): the type of an id is visible in the id. */
export type IdPrefix = 'job' | 'acct' | 'key' | 'led' | 'whd' | 'req' | 'evt';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A prefixed, time-sortable id (`job_01jd…`): 48 bits of milliseconds then 80 random bits in
 * Crockford base32 (the ULID layout), so ordering by id is ordering by creation time.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = '';
  let ms = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(ms % 32) + time;
    ms = Math.floor(ms / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD.charAt((random[i] ?? 0) % 32);
  return `${prefix}_${time}${tail}`;
}

const ID_PATTERN = /^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$/;

/** Whether `value` looks like an id with this prefix (cheap guard before hitting the database). */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
