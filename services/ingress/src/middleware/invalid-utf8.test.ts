import { describe, expect, it } from 'vitest';
import { findInvalidUtf8, jsonPathAtEnd, textBeforeInvalidUtf8 } from './invalid-utf8.ts';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('textBeforeInvalidUtf8', () => {
  it('is undefined for UTF-8, real U+FFFD included', () => {
    expect(textBeforeInvalidUtf8(bytes('{"p":"a \ufffd 🐱"}'))).toBeUndefined();
  });

  it('stops at the first bad byte, past real U+FFFDs', () => {
    expect(textBeforeInvalidUtf8(bytes('{"p":"\ufffd\ufffd x', [0xff], '"}'))).toBe('{"p":"\ufffd\ufffd x');
  });
});

describe('jsonPathAtEnd', () => {
  it.each<[string, string[]]>([
    ['{"prompt":"a c', ['prompt']],
    ['{"model":"m","metadata":{"k":"v","j":"x', ['metadata', 'j']],
    ['{"list":["ok","also, \\"quoted\\"","x', ['list', '2']],
    ['{"metadata":{"ke', ['metadata']],
    ['{"a":{"b":[{"c":"', ['a', 'b', '0', 'c']],
    ['"top', []],
  ])('%s ends inside %j', (prefix, path) => {
    expect(jsonPathAtEnd(prefix)).toEqual(path);
  });
});

describe('findInvalidUtf8', () => {
  it('names the field, or the object holding a bad key', () => {
    expect(findInvalidUtf8(bytes('{"metadata":{"k":"', [0xc3], '"}}'))).toEqual({ param: 'metadata.k' });
    expect(findInvalidUtf8(bytes('{"metadata":{"', [0xc3], '":"v"}}'))).toEqual({ param: 'metadata' });
    expect(findInvalidUtf8(bytes('{"p":"fine"}'))).toBeUndefined();
  });
});
