import { type RunningBflEmulator, startBflEmulator } from '@imagegate/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageDimensions } from './image-dimensions.ts';

// Real encoder output (sharp, via the BFL emulator): plain files, and files padded with chunks and
// segments a reader must skip (PNG `npAd`, JPEG APP15 before SOF, WebP upgraded to VP8X).
let plain: RunningBflEmulator;
let padded: RunningBflEmulator;

beforeAll(async () => {
  [plain, padded] = await Promise.all([
    startBflEmulator({ renderMs: 0 }),
    startBflEmulator({ renderMs: 0, imageBytes: 64 * 1024 }),
  ]);
});
afterAll(() => Promise.all([plain.close(), padded.close()]));

async function encodedImage(emulator: RunningBflEmulator, format: string): Promise<Uint8Array> {
  const submitted = await fetch(`${emulator.url}/v1/flux-2-pro`, {
    method: 'POST',
    headers: { 'x-key': emulator.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a bakery', width: 336, height: 208, output_format: format }),
  });
  const { polling_url: pollingUrl } = (await submitted.json()) as { polling_url: string };
  const polled = (await (await fetch(pollingUrl)).json()) as { result: { sample: string } };
  return new Uint8Array(await (await fetch(polled.result.sample)).arrayBuffer());
}

function webpLossless(width: number, height: number): Uint8Array {
  const bytes = Buffer.alloc(30);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(22, 4);
  bytes.write('WEBPVP8L', 8, 'latin1');
  bytes.writeUInt32LE(10, 16);
  bytes[20] = 0x2f;
  bytes.writeUInt32LE((width - 1) | ((height - 1) << 14), 21);
  return bytes;
}

describe('readImageDimensions', () => {
  it.each(['png', 'jpeg', 'webp'])('reads a %s header', async (format) => {
    expect(readImageDimensions(await encodedImage(plain, format))).toEqual({ width: 336, height: 208 });
  });

  it.each(['png', 'jpeg', 'webp'])('skips padding in a %s file', async (format) => {
    const bytes = await encodedImage(padded, format);
    expect(bytes.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(readImageDimensions(bytes)).toEqual({ width: 336, height: 208 });
  });

  it('reads a lossless WebP (VP8L) header', () => {
    expect(readImageDimensions(webpLossless(1376, 768))).toEqual({ width: 1376, height: 768 });
  });

  it.each([
    ['text', new TextEncoder().encode('<?xml version="1.0"?><Error/>')],
    ['a truncated PNG', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)],
    ['a JPEG that ends before its frame header', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10)],
    ['nothing', new Uint8Array()],
  ])('is undefined for %s', (_name, bytes) => {
    expect(readImageDimensions(bytes)).toBeUndefined();
  });
});
