import { describe, expect, it } from 'vitest';
import {
  createSecretBox,
  generateSecretKey,
  parseSecretKey,
  SecretBoxError,
  secretKeyEnvSchema,
} from './secret-box.ts';

const key = (value = generateSecretKey()) => parseSecretKey(value) ?? Buffer.alloc(0);

describe('SecretBox', () => {
  const box = createSecretBox({ current: key() });

  it('seals with a fresh IV each time and opens what it sealed', () => {
    const first = box.seal('whsec_abc', 'acct_1');
    const second = box.seal('whsec_abc', 'acct_1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('whsec_abc');
    expect(first.startsWith(box.currentPrefix)).toBe(true);
    expect(box.open(first, 'acct_1')).toBe('whsec_abc');
    expect(box.isSealedWithCurrentKey(first)).toBe(true);
  });

  it('refuses a value bound to another context, or altered', () => {
    const sealed = box.seal('whsec_abc', 'acct_1');
    expect(() => box.open(sealed, 'acct_2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    for (const index of [2, 3]) {
      // One bit flipped in the IV, then in the ciphertext.
      const bytes = Buffer.from(parts[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      const altered = parts.map((part, at) => (at === index ? bytes.toString('base64url') : part)).join('.');
      expect(() => box.open(altered, 'acct_1')).toThrow(SecretBoxError);
    }
    // A tag cut short.
    const shortTag = Buffer.from(parts[3] ?? '', 'base64url')
      .subarray(0, -12)
      .toString('base64url');
    expect(() => box.open([...parts.slice(0, 3), shortTag].join('.'), 'acct_1')).toThrow(SecretBoxError);
  });

  it('opens values under the previous key during a rotation, and nothing under an unknown key', () => {
    const old = key();
    const before = createSecretBox({ current: old }).seal('whsec_old', 'acct_1');
    const rotated = createSecretBox({ current: key(), previous: old });
    expect(rotated.open(before, 'acct_1')).toBe('whsec_old');
    expect(rotated.isSealedWithCurrentKey(before)).toBe(false);
    expect(() => createSecretBox({ current: key() }).open(before, 'acct_1')).toThrow(/IMAGEGATE_SECRET_KEY_PREVIOUS/);
  });

  it('reads a value stored before secrets were sealed as it is, and counts it as not sealed', () => {
    expect(box.open('whsec_plain', 'acct_1')).toBe('whsec_plain');
    expect(box.isSealedWithCurrentKey('whsec_plain')).toBe(false);
  });
});

describe('IMAGEGATE_SECRET_KEY', () => {
  it('is 32 bytes as base64 or hex, and required', () => {
    expect(parseSecretKey(generateSecretKey())).toHaveLength(32);
    expect(parseSecretKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseSecretKey('too short')).toBeUndefined();
    expect(parseSecretKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
    expect(secretKeyEnvSchema.safeParse({}).success).toBe(false);
    expect(secretKeyEnvSchema.safeParse({ IMAGEGATE_SECRET_KEY: 'x' }).success).toBe(false);
    const parsed = secretKeyEnvSchema.parse({
      IMAGEGATE_SECRET_KEY: generateSecretKey(),
      IMAGEGATE_SECRET_KEY_PREVIOUS: '',
    });
    expect(parsed.IMAGEGATE_SECRET_KEY_PREVIOUS).toBeUndefined();
  });
});
