import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageSource } from './image-source.ts';
import type { ImageFormat, ImageSpec } from './image-spec.ts';
import { hueBucketOf } from './image-spec.ts';
import { renderImage } from './render-image.ts';

function spec(overrides: Partial<ImageSpec> = {}): ImageSpec {
  return {
    width: 512,
    height: 256,
    format: 'png',
    transparent: false,
    hueBucket: 3,
    quality: 90,
    minBytes: 0,
    ...overrides,
  };
}

describe('renderImage', () => {
  it.each<[ImageFormat, boolean]>([
    ['png', false],
    ['png', true],
    ['jpeg', false],
    ['webp', false],
    ['webp', true],
  ])('encodes a %s of the requested size (transparent=%s)', async (format, transparent) => {
    const bytes = await renderImage(spec({ format, transparent }));
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format, width: 512, height: 256, hasAlpha: transparent });
  });

  it('leaves corner pixels fully transparent when the background is transparent', async () => {
    const { data, info } = await sharp(await renderImage(spec({ transparent: true })))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
    const centre = (128 * 512 + 256) * 4;
    expect(data[centre + 3]).toBe(255);
  });

  it('is deterministic for the same spec and differs across hue buckets', async () => {
    const a = await renderImage(spec());
    expect((await renderImage(spec())).equals(a)).toBe(true);
    expect((await renderImage(spec({ hueBucket: 4 }))).equals(a)).toBe(false);
  });

  it('lowers jpeg size when quality drops', async () => {
    const high = await renderImage(spec({ format: 'jpeg', quality: 100, width: 1024, height: 1024 }));
    const low = await renderImage(spec({ format: 'jpeg', quality: 10, width: 1024, height: 1024 }));
    expect(low.length).toBeLessThan(high.length);
  });

  it.each<[ImageFormat, boolean]>([
    ['png', false],
    ['jpeg', false],
    ['webp', false],
    ['webp', true],
  ])('pads a %s to at least minBytes and keeps it decodable (transparent=%s)', async (format, transparent) => {
    const minBytes = 1024 * 1024 + 3;
    const bytes = await renderImage(spec({ format, transparent, minBytes }));
    expect(bytes.length).toBeGreaterThanOrEqual(minBytes);
    const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 512, height: 256, channels: transparent ? 4 : 3 });
  });
});

describe('hueBucketOf', () => {
  it('maps equal prompts to the same bucket and spreads different prompts', () => {
    expect(hueBucketOf('a red fox')).toBe(hueBucketOf('a red fox'));
    const buckets = new Set(Array.from({ length: 200 }, (_, i) => hueBucketOf(`prompt ${i}`)));
    expect(buckets.size).toBeGreaterThan(15);
  });
});

describe('ImageSource', () => {
  it('renders once and serves repeats from the cache, including concurrent misses', async () => {
    const source = new ImageSource();
    const [a, b] = await Promise.all([source.get(spec()), source.get(spec())]);
    const c = await source.get(spec());
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(source.cacheStats()).toEqual({ hits: 2, misses: 1, entries: 1 });
    expect(Buffer.from(a.base64.toString('latin1'), 'base64').equals(a.bytes)).toBe(true);
  });

  it('evicts the least recently used image when over the entry limit', async () => {
    const source = new ImageSource({ maxEntries: 2 });
    await source.get(spec({ hueBucket: 1 }));
    await source.get(spec({ hueBucket: 2 }));
    await source.get(spec({ hueBucket: 1 }));
    await source.get(spec({ hueBucket: 3 }));
    await source.get(spec({ hueBucket: 1 }));
    expect(source.cacheStats()).toEqual({ hits: 2, misses: 3, entries: 2 });
    await source.get(spec({ hueBucket: 2 }));
    expect(source.cacheStats().misses).toBe(4);
  });
});
