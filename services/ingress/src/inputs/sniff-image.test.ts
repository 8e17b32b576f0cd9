import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageSniffer, magicFormat } from './sniff-image.ts';

async function sniff(bytes: Buffer, chunk = 1000) {
  const sniffer = new ImageSniffer();
  for (let i = 0; i < bytes.length; i += chunk) sniffer.push(bytes.subarray(i, i + chunk));
  return sniffer.finish('image[0]');
}

const base = () =>
  sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });

describe('ImageSniffer', () => {
  it('reads format, size and alpha from PNG, JPEG and WebP bytes', async () => {
    expect(await sniff(await base().png().toBuffer())).toEqual({
      format: 'png',
      width: 20,
      height: 10,
      hasAlpha: true,
    });
    expect(await sniff(await base().jpeg().toBuffer())).toEqual({
      format: 'jpeg',
      width: 20,
      height: 10,
      hasAlpha: false,
    });
    expect(await sniff(await base().webp().toBuffer(), 7)).toMatchObject({ format: 'webp', width: 20, height: 10 });
  });

  it.each([
    ['text named x.png', async () => Buffer.from('not an image at all')],
    ['a truncated PNG', async () => (await base().png().toBuffer()).subarray(0, 40)],
    ['a truncated WebP', async () => (await base().webp().toBuffer()).subarray(0, 30)],
    [
      'a PNG signature and garbage',
      async () => Buffer.concat([(await base().png().toBuffer()).subarray(0, 8), Buffer.alloc(100, 7)]),
    ],
  ])('refuses %s naming the part', async (_name, make) => {
    await expect(sniff(await make())).rejects.toMatchObject({ status: 400, param: 'image[0]', code: 'invalid_value' });
  });

  it('knows formats by magic number only', () => {
    expect(magicFormat(Buffer.from('GIF89a'))).toBeUndefined();
    expect(magicFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
  });
});
