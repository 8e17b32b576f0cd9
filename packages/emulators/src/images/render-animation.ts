import sharp from 'sharp';
import { HUE_BUCKETS } from './image-spec.ts';

/** What an animated GIF is made of: its frame size, how many frames, and how long each shows. */
export interface AnimationSpec {
  width: number;
  height: number;
  /** Frames in the loop (OpenAI: 2–16). */
  frames: number;
  /** Milliseconds each frame shows (a multiple of 10). */
  frameDurationMs: number;
  hueBucket: number;
}

/**
 * A real animated GIF of `frames` frames of `width`×`height`, looping: a disc moving across a
 * gradient whose hue comes from the prompt, so a test can count the frames and see them differ.
 */
export async function renderAnimation(spec: AnimationSpec): Promise<Buffer> {
  const { width: w, height: h } = spec;
  const hue = (spec.hueBucket * 360) / HUE_BUCKETS;
  const frames = await Promise.all(
    Array.from({ length: spec.frames }, (_, index) => {
      const cx = ((index + 0.5) / spec.frames) * w;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="hsl(${hue},70%,55%)"/><circle cx="${cx}" cy="${h / 2}" r="${Math.min(w, h) / 6}" fill="hsl(${hue + 180},60%,85%)"/></svg>`;
      return sharp(Buffer.from(svg)).png({ compressionLevel: 1 }).toBuffer();
    }),
  );
  return sharp(frames, { join: { animated: true } })
    .gif({ delay: frames.map(() => spec.frameDurationMs), loop: 0, effort: 1 })
    .toBuffer();
}
