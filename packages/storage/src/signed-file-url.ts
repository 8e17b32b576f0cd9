import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { extname } from 'node:path';
import { MAX_PRESIGN_TTL_SECONDS } from './presign-get.ts';

/** The path, under `PUBLIC_BASE_URL`, where the ingress serves the local store's files. */
export const SIGNED_FILE_PATH = '/v1/images/files';

/** Shortest `IMAGE_URL_SECRET` accepted: 32 characters (a generated one is 43). */
export const MIN_URL_SECRET_LENGTH = 32;

/** What checking a token found: the key it grants, or why it grants nothing. */
export type FileTokenCheck =
  | { ok: true; key: string; expiresAt: number }
  | { ok: false; reason: 'invalid' | 'expired' };

/** Signs and checks the local store's file URLs. */
export interface FileUrlSigner {
  /** `<base>/v1/images/files/<token>`, valid `ttlSeconds` (1 … 604800) from `now`. */
  sign(key: string, ttlSeconds: number, now?: Date): string;
  /** Checks the last path segment of a signed URL. */
  check(token: string, now?: Date): FileTokenCheck;
}

// Domain separation: the secret signs nothing else in this shape.
const CONTEXT = 'imagegate-file-url-v1';
const SIGNATURE_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const SAFE_EXTENSION = /^\.[A-Za-z0-9]{1,8}$/;

/** The key's extension as put at the end of its URL (clients that name files by URL keep it), or ''. */
function urlExtension(key: string): string {
  const extension = extname(key);
  return SAFE_EXTENSION.test(extension) ? extension.toLowerCase() : '';
}

/**
 * HMAC-SHA256 signed, expiring URLs for the local filesystem store. A token is
 * `<base64url(key)>.<expiry, unix seconds>.<base64url(HMAC(secret, context, expiry, key))>` followed
 * by the key's extension: the signature binds key and expiry together, so changing any part of the
 * URL (another tenant's key, a later expiry, one character of the signature) fails, and nothing in
 * it lets one derive a URL for another object. Checked in constant time.
 */
export function createFileUrlSigner(secret: string, publicBaseUrl: string): FileUrlSigner {
  if (secret.length < MIN_URL_SECRET_LENGTH) {
    throw new Error(`IMAGE_URL_SECRET must be at least ${MIN_URL_SECRET_LENGTH} characters`);
  }
  const hmacKey: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const prefix = `${publicBaseUrl.replace(/\/+$/, '')}${SIGNED_FILE_PATH}/`;

  function mac(expiresAt: number, key: string): Buffer {
    return createHmac('sha256', hmacKey).update(`${CONTEXT}\n${expiresAt}\n${key}`).digest();
  }

  return {
    sign(key, ttlSeconds, now = new Date()) {
      if (key.length === 0) throw new Error('presignGet: object key must not be empty');
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_TTL_SECONDS) {
        throw new Error(
          `presignGet: ttlSeconds must be an integer in 1..${MAX_PRESIGN_TTL_SECONDS}, got ${ttlSeconds}`,
        );
      }
      const expiresAt = Math.floor(now.getTime() / 1000) + ttlSeconds;
      const encodedKey = Buffer.from(key, 'utf8').toString('base64url');
      return `${prefix}${encodedKey}.${expiresAt}.${mac(expiresAt, key).toString('base64url')}${urlExtension(key)}`;
    },

    check(token, now = new Date()) {
      const [encodedKey, expiry, signature, ...rest] = token.split('.');
      if (encodedKey === undefined || expiry === undefined || signature === undefined) {
        return { ok: false, reason: 'invalid' };
      }
      const extension = rest.length === 0 ? '' : `.${rest.join('.')}`;
      if (!BASE64URL.test(encodedKey) || !BASE64URL.test(signature) || !/^\d{1,12}$/.test(expiry)) {
        return { ok: false, reason: 'invalid' };
      }
      const key = Buffer.from(encodedKey, 'base64url').toString('utf8');
      const expiresAt = Number(expiry);
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(expiresAt, key);
      // Re-encoding must give back the very characters sent: base64url has several spellings of
      // the same bytes (trailing bits), and a URL that changed is not the URL that was signed.
      const canonical =
        Buffer.from(key, 'utf8').toString('base64url') === encodedKey &&
        given.toString('base64url') === signature &&
        String(expiresAt) === expiry &&
        extension === urlExtension(key);
      if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, expected) || !canonical || key.length === 0) {
        return { ok: false, reason: 'invalid' };
      }
      if (expiresAt * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, key, expiresAt };
    },
  };
}
