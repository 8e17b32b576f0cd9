import sharp from 'sharp';
import type { ImageSpec } from './image-spec.ts';
import { HUE_BUCKETS } from './image-spec.ts';
import { padEncodedImage } from './pad-encoded-image.ts';

/**
 * Renders a real, decodable image for a spec: a diagonal gradient whose hue comes from the bucket,
 * with a simple shape on top. Transparent specs draw only the shape on a fully transparent canvas,
 * so the alpha channel is genuinely used. Padding (if `minBytes` is set) is added afterwards.
 */
export async function renderImage(spec: ImageSpec): Promise<Buffer> {
  const svg = Buffer.from(buildSvg(spec));
  let pipeline = sharp(svg);
  pipeline = spec.transparent ? pipeline.ensureAlpha() : pipeline.removeAlpha();
  let encoded: Buffer;
  switch (spec.format) {
    case 'png':
      // Low compression effort: these are throwaway images and encode time dominates cold caches.
      encoded = await pipeline.png({ compressionLevel: 3 }).toBuffer();
      break;
    case 'jpeg':
      encoded = await pipeline.jpeg({ quality: spec.quality }).toBuffer();
      break;
    case 'webp':
      encoded = await pipeline.webp({ quality: spec.quality, effort: 1 }).toBuffer();
      break;
  }
  if (spec.minBytes <= encoded.length) return encoded;
  return padEncodedImage(encoded, spec);
}

function buildSvg(spec: ImageSpec): string {
  const { width: w, height: h } = spec;
  const hue = (spec.hueBucket * 360) / HUE_BUCKETS;
  const from = hslHex(hue, 0.7, 0.6);
  const to = hslHex(hue + 60, 0.7, 0.3);
  const gradient = `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>`;
  const background = spec.transparent ? '' : `<rect width="${w}" height="${h}" fill="url(#g)"/>`;
  const fill = spec.transparent ? 'url(#g)' : hslHex(hue + 180, 0.6, 0.85);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${gradient}${background}${shape(spec.hueBucket % 3, w, h, fill)}</svg>`;
}

/** One of three shapes, centred, so buckets differ in form as well as colour. */
function shape(kind: number, w: number, h: number, fill: string): string {
  const cx = w / 2;
  const cy = h / 2;
  const r = Math.min(w, h) * 0.35;
  if (kind === 0) return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"/>`;
  if (kind === 1) {
    return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" rx="${r / 5}" fill="${fill}"/>`;
  }
  return `<polygon points="${cx},${cy - r} ${cx + r},${cy + r * 0.8} ${cx - r},${cy + r * 0.8}" fill="${fill}"/>`;
}

/** HSL (hue in degrees, s and l in 0–1) to `#rrggbb`; computed here so we don't rely on librsvg's CSS support. */
function hslHex(hueDeg: number, s: number, l: number): string {
  const h = (((hueDeg % 360) + 360) % 360) / 360;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t0: number): string => {
    const t = t0 < 0 ? t0 + 1 : t0 > 1 ? t0 - 1 : t0;
    let v: number;
    if (t < 1 / 6) v = p + (q - p) * 6 * t;
    else if (t < 1 / 2) v = q;
    else if (t < 2 / 3) v = p + (q - p) * (2 / 3 - t) * 6;
    else v = p;
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}
