import { describe, expect, it } from 'vitest';
import { editRequestSchema, multipartFieldsAsBody } from './edit-request.ts';

describe('multipartFieldsAsBody', () => {
  it('decodes numbers and booleans and folds the SDKs’ bracket form into objects and lists', () => {
    expect(
      multipartFieldsAsBody({
        n: '2',
        stream: 'false',
        size: '1024x1024',
        'metadata[order]': '42',
        'providerOptions[bfl][seed]': '7',
        'fallbacks[]': ['flux-2-pro', 'gpt-image-2'],
      }),
    ).toEqual({
      n: 2,
      stream: false,
      size: '1024x1024',
      metadata: { order: '42' },
      providerOptions: { bfl: { seed: '7' } },
      fallbacks: ['flux-2-pro', 'gpt-image-2'],
    });
  });

  it.each([['__proto__[polluted]'], ['constructor[prototype][polluted]'], ['metadata[__proto__]']])(
    'refuses %s instead of writing to Object.prototype',
    (name) => {
      expect(() => multipartFieldsAsBody({ [name]: 'yes' })).toThrow(/not a field name/);
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
      // Every later request still parses.
      expect(editRequestSchema.safeParse({ model: 'gpt-image-2', prompt: 'x' }).success).toBe(true);
    },
  );
});
