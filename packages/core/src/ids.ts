import { randomBytes } from 'node:crypto';

/** Id prefixes (docs/api.md): the type of an id is visible in the id. */
export type IdPrefix = 'job' | 'acct' | 'key' | 'led' | 'whd' | 'req' | 'evt';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

// Monotonic within a millisecond (as ULID specifies): ids made in the same ms by this process
// still sort in creation order, e.g. a settlement's debit before its release.
let lastTime = -1;
const lastRandom = new Uint8Array(16);

function nextRandom(time: number): Uint8Array {
  if (time > lastTime) {
    lastTime = time;
    const fresh = randomBytes(16);
    for (let i = 0; i < 16; i++) lastRandom[i] = (fresh[i] ?? 0) % 32;
    // Leave headroom so increments within one millisecond do not overflow.
    lastRandom[0] = (lastRandom[0] ?? 0) % 16;
    return lastRandom;
  }
  for (let i = 15; i >= 0; i--) {
    const digit = (lastRandom[i] ?? 0) + 1;
    lastRandom[i] = digit % 32;
    if (digit < 32) break;
  }
  return lastRandom;
}

/**
 * A prefixed, time-sortable id (`job_01jd…`): 48 bits of milliseconds then 80 random bits in
 * Crockford base32 (the ULID layout), so ordering by id is ordering by creation time.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  const time = Math.max(now, lastTime);
  let encodedTime = '';
  let ms = time;
  for (let i = 0; i < 10; i++) {
    encodedTime = CROCKFORD.charAt(ms % 32) + encodedTime;
    ms = Math.floor(ms / 32);
  }
  let tail = '';
  for (const digit of nextRandom(time)) tail += CROCKFORD.charAt(digit);
  return `${prefix}_${encodedTime}${tail}`;
}

const ID_PATTERN = /^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$/;

/** Whether `value` looks like an id with this prefix (cheap guard before hitting the database). */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
