import { HUE_BUCKETS } from './image-spec.ts';

/**
 * A real SVG document of `width`×`height` (a gradient, a shape and the prompt as a title), as
 * gpt-image-2.6 answers for `output_format: "svg"`: text, base64-encoded like any other image.
 */
export function renderVector(spec: { width: number; height: number; hueBucket: number; prompt: string }): Buffer {
  const { width: w, height: h } = spec;
  const hue = (spec.hueBucket * 360) / HUE_BUCKETS;
  const title = spec.prompt.slice(0, 200).replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<title>${title}</title>` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${hue + 60},70%,30%)"/></linearGradient></defs>` +
      `<rect width="${w}" height="${h}" fill="url(#g)"/>` +
      `<circle cx="${w / 2}" cy="${h / 2}" r="${Math.min(w, h) * 0.35}" fill="hsl(${hue + 180},60%,85%)"/>` +
      `</svg>\n`,
  );
}
