import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Base64BodyWriter } from './base64-body-writer.ts';

/** Pushes `bytes` in pieces of the given lengths and returns the text the target received. */
async function encodeInPieces(bytes: Buffer, lengths: number[]): Promise<string> {
  const target = new PassThrough({ highWaterMark: 1024 });
  const received: Buffer[] = [];
  target.on('data', (chunk: Buffer) => received.push(Buffer.from(chunk)));
  const writer = new Base64BodyWriter(target);
  let offset = 0;
  for (const length of lengths) {
    await writer.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  await writer.push(bytes.subarray(offset));
  await writer.end();
  return Buffer.concat(received).toString('latin1');
}

describe('Base64BodyWriter', () => {
  it('writes exactly the base64 of all the bytes, whatever the pieces', async () => {
    const bytes = randomBytes(700_001);
    const expected = bytes.toString('base64');
    expect(await encodeInPieces(bytes, [])).toBe(expected);
    expect(await encodeInPieces(bytes, [1, 1, 1, 2, 65_536, 5, 300_000])).toBe(expected);
    const random = Array.from({ length: 60 }, () => Math.floor(Math.random() * 20_000));
    expect(await encodeInPieces(bytes, random)).toBe(expected);
  });

  it('pads the last group', async () => {
    for (const size of [0, 1, 2, 3, 4, 98_305]) {
      const bytes = randomBytes(size);
      expect(await encodeInPieces(bytes, [1])).toBe(bytes.toString('base64'));
    }
  });

  it('never fills a buffer again before the target has taken it', async () => {
    // Like a socket: the target copies each chunk some time after it was written, then calls back.
    const bytes = randomBytes(1_000_000);
    const taken: Buffer[] = [];
    const target = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        setTimeout(() => {
          taken.push(Buffer.from(chunk));
          callback();
        }, 2);
      },
    });
    const writer = new Base64BodyWriter(target);
    for (let offset = 0; offset < bytes.length; offset += 50_000)
      await writer.push(bytes.subarray(offset, offset + 50_000));
    await writer.end();
    expect(Buffer.concat(taken).toString('latin1')).toBe(bytes.toString('base64'));
  });

  it('rejects when the client has gone', async () => {
    const target = new PassThrough();
    const writer = new Base64BodyWriter(target);
    target.destroy();
    await expect(
      (async () => {
        await writer.push(randomBytes(400_000));
        await writer.end();
      })(),
    ).rejects.toThrow('client disconnected');
  });
});
