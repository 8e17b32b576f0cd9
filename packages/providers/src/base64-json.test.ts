import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readJsonWithBase64Fields } from './base64-json.ts';

/** The document cut into chunks of `size` bytes, the way a socket might deliver it. */
async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

const FIELDS = new Set(['b64_json', 'bytesBase64Encoded', 'data']);

describe('readJsonWithBase64Fields', () => {
  const image = randomBytes(10_001);
  const second = randomBytes(3);
  const document = {
    created: 1,
    data: [
      { b64_json: image.toString('base64'), revised_prompt: 'a "quoted" \\ prompt: with {braces}' },
      { b64_json: second.toString('base64') },
    ],
    usage: { input_tokens: 5, note: 'b64_json: "not a field"' },
    size: '1024x1024',
  };

  for (const size of [1, 2, 3, 5, 7, 64, 4096, 1 << 20]) {
    it(`decodes every base64 field and parses the rest, in chunks of ${size} bytes`, async () => {
      const parsed = (await readJsonWithBase64Fields(
        chunked(JSON.stringify(document), size),
        FIELDS,
      )) as typeof document & {
        data: { b64_json: Buffer }[];
      };
      expect(Buffer.compare(parsed.data[0]?.b64_json as Buffer, image)).toBe(0);
      expect(Buffer.compare(parsed.data[1]?.b64_json as Buffer, second)).toBe(0);
      expect(parsed.usage).toEqual(document.usage);
      expect(parsed.size).toBe('1024x1024');
      expect((parsed.data[0] as unknown as { revised_prompt: string }).revised_prompt).toBe(
        document.data[0]?.revised_prompt,
      );
    });
  }

  it('handles whitespace around the colon, escaped slashes and unpadded base64, and leaves other fields as strings', async () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    const escaped = bytes.toString('base64').replace(/=+$/, '').replaceAll('/', '\\/');
    const text = `{ "predictions" : [ { "bytesBase64Encoded" :\n "${escaped}", "mimeType": "image/png" } ], "other": "${bytes.toString('base64')}" }`;
    for (const size of [1, 3, 1000]) {
      const parsed = (await readJsonWithBase64Fields(chunked(text, size), FIELDS)) as {
        predictions: { bytesBase64Encoded: Buffer; mimeType: string }[];
        other: string;
      };
      expect([...(parsed.predictions[0]?.bytesBase64Encoded ?? [])]).toEqual([...bytes]);
      expect(parsed.predictions[0]?.mimeType).toBe('image/png');
      expect(parsed.other).toBe(bytes.toString('base64'));
    }
  });

  it('undoes \\uXXXX escapes of base64 characters, even split across chunks', async () => {
    const bytes = Buffer.from([0xfb, 0xef, 0xbe, 0x01, 0x02, 0x03]);
    const escaped = bytes.toString('base64').replace(/\+/g, '\\u002B').replace(/\//g, '\\u002F');
    expect(escaped).toContain('\\u002B');
    for (const size of [1, 2, 5, 1000]) {
      const parsed = (await readJsonWithBase64Fields(chunked(`{"b64_json":"${escaped}"}`, size), FIELDS)) as {
        b64_json: Buffer;
      };
      expect([...parsed.b64_json]).toEqual([...bytes]);
    }
  });

  it('refuses a value that is not base64 instead of returning other bytes', async () => {
    for (const value of ['AAAA\\u0001', 'AA AA', 'AAAA\\"AAAA', 'AAA\\tA\u0001', '@@@@']) {
      await expect(readJsonWithBase64Fields(chunked(`{"b64_json":"${value}"}`, 3), FIELDS)).rejects.toThrow(
        SyntaxError,
      );
    }
  });

  it('decodes a qualified field only inside its parent, leaving other keys of that name as strings', async () => {
    const text = JSON.stringify({
      candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AQID' } }] } }],
      meta: { data: 'say "hi"' },
      data: 'AQID',
    });
    for (const size of [1, 7, 4096]) {
      const parsed = (await readJsonWithBase64Fields(chunked(text, size), new Set(['inlineData.data']))) as {
        candidates: { content: { parts: { inlineData: { data: Buffer } }[] } }[];
        meta: { data: string };
        data: string;
      };
      expect([...(parsed.candidates[0]?.content.parts[0]?.inlineData.data ?? [])]).toEqual([1, 2, 3]);
      expect(parsed.meta.data).toBe('say "hi"');
      expect(parsed.data).toBe('AQID');
    }
  });

  it('does not reserve more than 64 MiB however large the size hint', async () => {
    const parsed = (await readJsonWithBase64Fields(chunked('{"b64_json":"AQID"}', 4), FIELDS, {
      sizeHint: 2 ** 40,
    })) as { b64_json: Buffer };
    expect([...parsed.b64_json]).toEqual([1, 2, 3]);
  });

  it('decodes a field only where it is a key with a string value', async () => {
    const text = JSON.stringify({ list: ['data', 'AAAA'], data: { inner: 'x' }, note: 'data', b64_json: null });
    expect(await readJsonWithBase64Fields(chunked(text, 2), FIELDS)).toEqual(JSON.parse(text));
  });

  it('decodes in place whatever the size hint says: exact, short, far too large or absent', async () => {
    const text = JSON.stringify(document);
    for (const sizeHint of [Buffer.byteLength(text), 10, 100 * Buffer.byteLength(text), undefined]) {
      const parsed = (await readJsonWithBase64Fields(chunked(text, 4096), FIELDS, { sizeHint })) as {
        data: { b64_json: Buffer }[];
      };
      expect(Buffer.compare(parsed.data[0]?.b64_json as Buffer, image)).toBe(0);
      expect(Buffer.compare(parsed.data[1]?.b64_json as Buffer, second)).toBe(0);
      // Neither image keeps a larger buffer alive than a pooled copy would.
      for (const entry of parsed.data) expect(entry.b64_json.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    }
  });

  it('keeps non-ASCII text intact, even split inside a character', async () => {
    const text = JSON.stringify({ revised_prompt: 'ein Bär 🐻 im Schnee', b64_json: 'AQID' });
    const parsed = (await readJsonWithBase64Fields(chunked(text, 1), FIELDS)) as {
      revised_prompt: string;
      b64_json: Buffer;
    };
    expect(parsed.revised_prompt).toBe('ein Bär 🐻 im Schnee');
    expect([...parsed.b64_json]).toEqual([1, 2, 3]);
  });

  it('throws a SyntaxError for a body that is not JSON or ends inside a string', async () => {
    await expect(readJsonWithBase64Fields(chunked('<html>bad gateway</html>', 4), FIELDS)).rejects.toThrow(SyntaxError);
    await expect(readJsonWithBase64Fields(chunked('{"data":[{"b64_json":"AAAA', 4), FIELDS)).rejects.toThrow(
      SyntaxError,
    );
  });
});
