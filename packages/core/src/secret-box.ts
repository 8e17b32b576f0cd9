import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Secrets imagegate must read back (webhook signing secrets) are stored sealed with AES-256-GCM
 * under `IMAGEGATE_SECRET_KEY`: whoever reads the database (a backup, a replica, a leaked dump)
 * does not get them. API keys are different: they are only ever hashed.
 *
 * A sealed value is `igsec1.<key id>.<iv>.<ciphertext + tag>` (base64url). The key id names which
 * key sealed it, so during a rotation values under `IMAGEGATE_SECRET_KEY_PREVIOUS` still open.
 */
const SEALED_PREFIX = 'igsec1.';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** Seals `plaintext` under the current key, bound to `context` (e.g. the owning account id). */
  seal(plaintext: string, context: string): string;
  /**
   * The plaintext of a stored value sealed under the current or the previous key with the same
   * `context`. A value that is not sealed at all (written before secrets were encrypted) is
   * returned as it is, until `isSealedWithCurrentKey` finds it and it is sealed.
   */
  open(stored: string, context: string): string;
  /** Whether `stored` is sealed under the current key (nothing left to re-seal). */
  isSealedWithCurrentKey(stored: string): boolean;
  /** `igsec1.<current key id>.`: what every value sealed under the current key starts with. */
  readonly currentPrefix: string;
}

/** A value that cannot be opened: sealed under an unknown key, altered, or bound to another context. */
export class SecretBoxError extends Error {}

/** A new key for `IMAGEGATE_SECRET_KEY`: 32 random bytes, base64. */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** A key as the environment gives it: 32 bytes as base64 (44 characters) or hex (64). */
export function parseSecretKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  return bytes?.length === KEY_BYTES ? bytes : undefined;
}

/** Short, stable and non-secret: which key sealed a value. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('imagegate secret key id\0').update(key).digest('base64url').slice(0, 8);
}

export function createSecretBox(keys: { current: Buffer; previous?: Buffer | undefined }): SecretBox {
  const byId = new Map<string, Buffer>();
  if (keys.previous) byId.set(keyId(keys.previous), keys.previous);
  const currentId = keyId(keys.current);
  byId.set(currentId, keys.current);
  const currentPrefix = `${SEALED_PREFIX}${currentId}.`;

  return {
    currentPrefix,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.current, iv);
      cipher.setAAD(Buffer.from(context));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${currentPrefix}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    },
    open(stored, context) {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const [id = '', iv = '', sealed = ''] = stored.slice(SEALED_PREFIX.length).split('.');
      const key = byId.get(id);
      if (key === undefined) {
        throw new SecretBoxError(
          `a secret is sealed under key ${id}, which is neither IMAGEGATE_SECRET_KEY nor IMAGEGATE_SECRET_KEY_PREVIOUS`,
        );
      }
      const bytes = Buffer.from(sealed, 'base64url');
      try {
        // The tag length is fixed: GCM would otherwise accept a tag cut down to 4 bytes.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretBoxError(`a secret sealed under key ${id} does not open: altered, or not this one's`);
      }
    },
    isSealedWithCurrentKey(stored) {
      return stored.startsWith(currentPrefix);
    },
  };
}

const secretKeySchema = z.string().transform((value, context) => {
  const key = parseSecretKey(value);
  if (key === undefined) {
    context.addIssue({ code: 'custom', message: 'must be 32 bytes as base64 or hex (openssl rand -base64 32)' });
    return z.NEVER;
  }
  return key;
});

/** For the services that read or write webhook secrets (the ingress, the webhook worker, setup). */
export const secretKeyEnvSchema = z.object({
  /** The key that seals secrets at rest; required. */
  IMAGEGATE_SECRET_KEY: secretKeySchema,
  /** The key it replaced, during a rotation: values under it still open, and are re-sealed by setup. */
  IMAGEGATE_SECRET_KEY_PREVIOUS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    secretKeySchema.optional(),
  ),
});

/** The box the parsed environment describes. */
export function secretBoxFromEnv(config: z.output<typeof secretKeyEnvSchema>): SecretBox {
  return createSecretBox({ current: config.IMAGEGATE_SECRET_KEY, previous: config.IMAGEGATE_SECRET_KEY_PREVIOUS });
}
