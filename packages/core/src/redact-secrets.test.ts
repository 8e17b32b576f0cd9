import { describe, expect, it } from 'vitest';
import { redactUrlPassword, secretRedactor } from './redact-secrets.ts';

describe('secretRedactor', () => {
  it('replaces every occurrence of every secret', () => {
    const redact = secretRedactor(['sk-one', 'tok-two']);
    expect(redact('key sk-one, token tok-two, again sk-one')).toBe(
      'key [redacted], token [redacted], again [redacted]',
    );
  });

  it('leaves the text alone when a secret is empty', () => {
    expect(secretRedactor([''])('nothing to hide')).toBe('nothing to hide');
  });
});

describe('redactUrlPassword', () => {
  it('redacts passwords in URLs', () => {
    expect(redactUrlPassword('redis://user:secret@host:6380/2')).toBe('redis://user:***@host:6380/2');
  });
});
