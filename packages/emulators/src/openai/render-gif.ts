import { hueBucketOf } from '../images/image-spec.ts';
import { renderAnimation } from '../images/render-animation.ts';

/** An animated GIF of the request's `frame_count` frames (default 9, 200 ms each), as base64 text. */
export async function renderGifBase64(request: {
  width: number;
  height: number;
  prompt: string;
  frameCount?: number | null | undefined;
  frameDurationMs?: number | null | undefined;
}): Promise<Buffer> {
  const gif = await renderAnimation({
    width: request.width,
    height: request.height,
    frames: request.frameCount ?? 9,
    frameDurationMs: request.frameDurationMs ?? 200,
    hueBucket: hueBucketOf(request.prompt),
  });
  return Buffer.from(gif.toString('base64'), 'latin1');
}
