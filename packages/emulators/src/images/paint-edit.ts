import sharp from 'sharp';
import type { ImageFormat } from './image-spec.ts';

/** How a mask marks the pixels to repaint. */
export type MaskConvention =
  /** OpenAI's (and FLUX Fill's alpha form): fully transparent pixels (alpha 0) are repainted. */
  | 'alpha-zero'
  /** FLUX Fill's black/white form: white (≥ 128 grey) is repainted, black kept. */
  | 'white'
  /** OpenAI's `markup` overlay: whatever was drawn (alpha above 0) is repainted. */
  | 'alpha-drawn';

/** An 8-bit RGB colour. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** What {@link paintEdit} needs. */
export interface EditPaint {
  /** The encoded input image (PNG/JPEG/WebP). */
  source: Buffer;
  /** The encoded mask, read with `convention`; it is scaled to the output size when it differs. */
  mask?: { bytes: Buffer; convention: MaskConvention };
  /** Output size in pixels; default the source's size. */
  width?: number;
  height?: number;
  /** The colour repainted pixels get (without a mask: the tint blended over the whole image). */
  colour: Rgb;
  format: ImageFormat;
  /** Encoder quality 1–100 for jpeg/webp. */
  quality: number;
}

/**
 * A deterministic stand-in for an edit model that tests can check pixel by pixel: the source resized
 * to the output size, with exactly the masked pixels replaced by `colour` and every other pixel
 * left as it was. Without a mask the whole image is tinted halfway towards `colour`.
 */
export async function paintEdit(edit: EditPaint): Promise<Buffer> {
  const meta = await sharp(edit.source).metadata();
  const width = edit.width ?? meta.width;
  const height = edit.height ?? meta.height;
  let pipeline = sharp(edit.source).removeAlpha();
  if (width !== meta.width || height !== meta.height) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  const pixels = await pipeline.raw().toBuffer();
  const selected = edit.mask === undefined ? undefined : await maskPixels(edit.mask, width, height);
  const { r, g, b } = edit.colour;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const at = pixel * 3;
    if (selected === undefined) {
      pixels[at] = Math.round(((pixels[at] ?? 0) + r) / 2);
      pixels[at + 1] = Math.round(((pixels[at + 1] ?? 0) + g) / 2);
      pixels[at + 2] = Math.round(((pixels[at + 2] ?? 0) + b) / 2);
    } else if (selected[pixel] === 1) {
      pixels[at] = r;
      pixels[at + 1] = g;
      pixels[at + 2] = b;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  switch (edit.format) {
    case 'png':
      return image.png({ compressionLevel: 3 }).toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: edit.quality }).toBuffer();
    case 'webp':
      return image.webp({ quality: edit.quality, effort: 1 }).toBuffer();
  }
}

/** One byte per output pixel: 1 = repaint. Nearest-neighbour scaling keeps the mask's edge sharp. */
async function maskPixels(mask: NonNullable<EditPaint['mask']>, width: number, height: number): Promise<Uint8Array> {
  let pipeline = sharp(mask.bytes);
  pipeline =
    mask.convention === 'white' ? pipeline.removeAlpha().greyscale() : pipeline.ensureAlpha().extractChannel(3);
  const values = await pipeline.resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
  const selected = new Uint8Array(width * height);
  for (let pixel = 0; pixel < selected.length; pixel++) {
    const value = values[pixel] ?? 0;
    const repaint =
      mask.convention === 'alpha-zero' ? value === 0 : mask.convention === 'alpha-drawn' ? value > 0 : value >= 128;
    selected[pixel] = repaint ? 1 : 0;
  }
  return selected;
}

/** A saturated colour picked from the prompt, so different prompts repaint differently. */
export function promptColour(hueBucket: number, buckets: number): Rgb {
  const hue = (hueBucket / buckets) * 6;
  const sector = Math.floor(hue);
  const rising = Math.round((hue - sector) * 255);
  const falling = 255 - rising;
  const table: readonly Rgb[] = [
    { r: 255, g: rising, b: 0 },
    { r: falling, g: 255, b: 0 },
    { r: 0, g: 255, b: rising },
    { r: 0, g: falling, b: 255 },
    { r: rising, g: 0, b: 255 },
    { r: 255, g: 0, b: falling },
  ];
  return table[sector % 6] ?? { r: 255, g: 0, b: 255 };
}
