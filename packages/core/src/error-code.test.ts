import { describe, expect, it } from 'vitest';
import { errorCodeOf } from './error-code.ts';

describe('errorCodeOf', () => {
  it('reads the code of an error that carries a string code', () => {
    expect(errorCodeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
  });

  it.each([
    ['an error without a code', new Error('plain')],
    ['a numeric code', { code: 23505 }],
    ['null', null],
    ['a string', 'ECONNRESET'],
  ])('is undefined for %s', (_name, thrown) => {
    expect(errorCodeOf(thrown)).toBeUndefined();
  });
});
