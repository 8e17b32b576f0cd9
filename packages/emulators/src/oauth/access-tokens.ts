import { randomBytes } from 'node:crypto';

/** What the store knows about a presented bearer token. */
export type TokenCheck =
  | { kind: 'valid'; scopes: readonly string[] }
  | { kind: 'expired' }
  /** Never issued by this emulator (or long forgotten). */
  | { kind: 'unknown' };

interface Issued {
  expiresAtMs: number;
  scopes: readonly string[];
}

/** Expired tokens are remembered this long, so a late caller hears "expired" rather than "unknown". */
const EXPIRED_MEMORY_MS = 10 * 60_000;
/** Sweep the map once it grows past this many tokens, so long benchmark runs stay bounded. */
const SWEEP_THRESHOLD = 10_000;

/** OAuth2 access tokens minted by the emulator's token endpoint, with expiry and scopes. */
export class AccessTokenStore {
  readonly #tokens = new Map<string, Issued>();

  /**
   * Mints a `ya29.`-style opaque token valid for `lifetimeMs`.
   * @param scopes granted scopes, checked by the API endpoints.
   */
  issue(scopes: readonly string[], lifetimeMs: number, nowMs: number = Date.now()): string {
    if (this.#tokens.size >= SWEEP_THRESHOLD) this.#sweep(nowMs);
    const token = `ya29.c.emulator-${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, { expiresAtMs: nowMs + lifetimeMs, scopes: [...scopes] });
    return token;
  }

  /** Classifies a presented token. */
  check(token: string, nowMs: number = Date.now()): TokenCheck {
    const issued = this.#tokens.get(token);
    if (issued === undefined) return { kind: 'unknown' };
    if (issued.expiresAtMs <= nowMs) return { kind: 'expired' };
    return { kind: 'valid', scopes: issued.scopes };
  }

  #sweep(nowMs: number): void {
    for (const [token, issued] of this.#tokens) {
      if (issued.expiresAtMs + EXPIRED_MEMORY_MS <= nowMs) this.#tokens.delete(token);
    }
  }
}
