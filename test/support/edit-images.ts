import sharp from 'sharp';

/** Test images for edits: a source whose pixels all differ, OpenAI-convention masks, and pixel checks. */

/** A horizontal and vertical gradient, so "unchanged" is checked against distinct values, not one flat colour. */
export function gradientPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = Math.floor((x * 255) / width);
      pixels[at + 1] = 90;
      pixels[at + 2] = Math.floor((y * 255) / height);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** OpenAI's convention: the left half fully transparent (change it), the right half opaque (keep it). */
export function leftHalfMask(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 4, 255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width / 2; x++) pixels[(y * width + x) * 4 + 3] = 0;
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** An opaque white PNG without an alpha channel (a mask that marks nothing). */
export function opaquePng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
}

interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

export async function rawPixels(encoded: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const pixelAt = (image: Pixels, x: number, y: number): string => {
  const at = (y * image.width + x) * 3;
  return image.data.subarray(at, at + 3).join();
};

/**
 * Compares an edit with its source under a left-half mask, on a sample grid: how many samples
 * changed inside the masked half, and how many outside it (which must be none).
 */
export async function leftHalfChanges(
  source: Buffer,
  edited: Buffer,
): Promise<{ changedInside: number; changedOutside: number; samplesInside: number; size: string }> {
  const [before, after] = [await rawPixels(source), await rawPixels(edited)];
  let changedInside = 0;
  let changedOutside = 0;
  let samplesInside = 0;
  for (let y = 0; y < after.height; y += 7) {
    for (let x = 0; x < after.width; x += 5) {
      const same = pixelAt(before, x, y) === pixelAt(after, x, y);
      if (x < after.width / 2) {
        samplesInside++;
        if (!same) changedInside++;
      } else if (!same) changedOutside++;
    }
  }
  return { changedInside, changedOutside, samplesInside, size: `${after.width}x${after.height}` };
}
