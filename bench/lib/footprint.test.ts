import { describe, expect, it } from 'vitest';
import { distribution, imageBytesIn } from './footprint.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const padded = (head: Buffer | string, bytes = 1024) => Buffer.concat([Buffer.from(head), Buffer.alloc(bytes, 'a')]);

describe('imageBytesIn', () => {
  it('counts a value holding a PNG, raw or as base64 anywhere in it (a b64_json field)', () => {
    expect(imageBytesIn(padded(PNG))).toBe(1024 + PNG.length);
    const b64 = Buffer.concat([PNG, Buffer.alloc(600)]).toString('base64');
    const json = Buffer.from(JSON.stringify({ data: [{ b64_json: b64 }] }));
    expect(imageBytesIn(json)).toBe(json.length);
  });

  it('counts JPEG, GIF and WebP, raw and base64', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
    for (const head of [jpeg, Buffer.from('GIF89a'), webp]) {
      expect(imageBytesIn(padded(head))).toBeGreaterThan(0);
      expect(imageBytesIn(padded(Buffer.concat([head, Buffer.alloc(30)]).toString('base64')))).toBeGreaterThan(0);
    }
  });

  it('does not count job data, options, stack traces or short values', () => {
    const opts = JSON.stringify({ jobId: 'job_01m7z0a0vh0vjq29fs24wy68qe', attempts: 3, removeOnComplete: true });
    expect(imageBytesIn(padded(opts))).toBe(0);
    expect(imageBytesIn(padded('Error: boom\n    at handler (/srv/app.js:1:1)\n'))).toBe(0);
    expect(imageBytesIn(Buffer.from('/9j/ is short'))).toBe(0);
    expect(imageBytesIn(padded('RIFF....WAVE'))).toBe(0);
  });
});

describe('distribution', () => {
  it('gives count, mean, nearest-rank p99 and max', () => {
    const values = Array.from({ length: 200 }, (_, index) => index + 1);
    expect(distribution(values)).toEqual({ count: 200, mean: 100.5, p99: 198, max: 200 });
  });

  it('is empty for no values', () => {
    expect(distribution([])).toMatchObject({ count: 0, max: Number.NaN });
  });
});
