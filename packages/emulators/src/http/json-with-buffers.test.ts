import { describe, expect, it } from 'vitest';
import { bufferSlot, jsonWithBuffers } from './json-with-buffers.ts';

describe('jsonWithBuffers', () => {
  it('splices each buffer into its slot as a JSON string when slots are used', () => {
    const a = Buffer.from('QUJD');
    const b = Buffer.from('REVG');
    const chunks = jsonWithBuffers({ list: [{ data: bufferSlot(1) }, { data: bufferSlot(0), note: 'x"y' }] }, [a, b]);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({
      list: [{ data: 'REVG' }, { data: 'QUJD', note: 'x"y' }],
    });
    expect(chunks).toContain(a);
  });

  it('leaves look-alike user text alone when it lacks the per-process nonce', () => {
    const text = '\u00000:0\u0000';
    expect(JSON.parse(Buffer.concat(jsonWithBuffers({ text }, [])).toString())).toEqual({ text });
  });

  it('throws when a slot has no buffer', () => {
    expect(() => jsonWithBuffers({ data: bufferSlot(2) }, [])).toThrow('no buffer for slot 2');
  });
});
