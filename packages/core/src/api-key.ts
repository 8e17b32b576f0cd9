import { createHash, randomBytes } from 'node:crypto';

/** Visible start of every imagegate key, so a leaked key is recognisable. */
export const API_KEY_PREFIX = 'sk-ig-';

/** A new API key: 32 random bytes (256 bits), base64url. Shown once; only its hash is stored. */
export function generateApiKey(): { key: string; prefix: string; hash: Buffer } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

/** sha256 is enough: the key is high-entropy random, so there is nothing to brute-force slowly. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
