import { describe, expect, it } from 'vitest';
import { checkMask } from './check-mask.ts';
import type { StoredInputImage } from './store-input-image.ts';

const image = (over: Partial<StoredInputImage> = {}): StoredInputImage => ({
  key: 'jobs/j/inputs/0.png',
  format: 'png',
  width: 64,
  height: 48,
  hasAlpha: true,
  bytes: 100,
  sha256: '0'.repeat(64),
  contentType: 'image/png',
  ...over,
});

describe('checkMask', () => {
  it('accepts a PNG with alpha of the first image size', () => {
    expect(() => checkMask(image(), image({ format: 'jpeg', hasAlpha: false }))).not.toThrow();
  });

  it.each([
    ['a JPEG', image({ format: 'jpeg' })],
    ['no alpha', image({ hasAlpha: false })],
    ['another width', image({ width: 63 })],
    ['another height', image({ height: 49 })],
  ])('refuses a mask with %s on mask', (_name, mask) => {
    expect(() => checkMask(mask, image())).toThrow(
      expect.objectContaining({ status: 400, param: 'mask', code: 'invalid_value' }),
    );
  });
});
