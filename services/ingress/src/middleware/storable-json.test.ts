import { describe, expect, it } from 'vitest';
import { findUnstorableValue, MAX_JSON_DEPTH } from './storable-json.ts';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
};

describe('findUnstorableValue', () => {
  it.each<[string, unknown]>([
    ['a plain body', { model: 'gpt-image-1.5', prompt: 'a cat', n: 2, metadata: { k: 'v' } }],
    ['emoji, RTL and zero-width text', { prompt: '🐱 \u202eשלום\u200b' }],
    ['nesting at the limit', { a: nested(MAX_JSON_DEPTH - 1) }],
    ['a body that is not an object', 'a cat'],
  ])('accepts %s', (_name, body) => {
    expect(findUnstorableValue(body)).toBeUndefined();
  });

  it.each<[string, unknown, string | null]>([
    ['a NUL in a value', { prompt: 'a\u0000cat' }, 'prompt'],
    ['a lone high surrogate', { metadata: { k: 'a\ud83d' } }, 'metadata.k'],
    ['a lone low surrogate in an array', { list: ['ok', '\udc00'] }, 'list.1'],
    ['a NUL in a key', { metadata: { 'k\u0000': 'v' } }, 'metadata'],
    ['a NUL at the top level', '\u0000', null],
    ['nesting past the limit', { a: nested(MAX_JSON_DEPTH + 1) }, 'a.0.0.0'],
    ['100,000 levels of nesting', nested(100_000), '0.0.0.0'],
  ])('refuses %s, naming where', (_name, body, param) => {
    expect(findUnstorableValue(body)?.param).toBe(param);
  });
});
