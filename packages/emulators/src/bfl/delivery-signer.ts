import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signs and checks delivery URLs (`/delivery/<id>.<ext>?sig=…&exp=…`), standing in for BFL's
 * short-lived blob-storage links. `exp` is epoch milliseconds so tests can use ~1 s lifetimes.
 */
export class DeliverySigner {
  readonly #secret = randomBytes(32);

  /** The query string for a file that expires at `expiresAtMs`. */
  sign(file: string, expiresAtMs: number): string {
    return `sig=${this.#mac(file, expiresAtMs)}&exp=${expiresAtMs}`;
  }

  /** Whether `sig` was issued for `file` and `exp` (expiry itself is checked by the caller). */
  verify(file: string, exp: number, sig: string): boolean {
    const expected = Buffer.from(this.#mac(file, exp));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(file: string, expiresAtMs: number): string {
    return createHmac('sha256', this.#secret).update(`${file}\n${expiresAtMs}`).digest('base64url');
  }
}
