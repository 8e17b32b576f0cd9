import type { RenderedImage } from '../images/image-source.ts';
import { hueBucketOf } from '../images/image-spec.ts';
import type { BflDeps } from './deps.ts';
import type { BflTask } from './task-store.ts';

/**
 * The task's image, rendered on first need (the first `Ready` poll or download) and then kept on
 * the task. Lazy so that benchmarks submitting thousands of never-fetched tasks cost no encoding.
 */
export function taskImage(task: BflTask, deps: Pick<BflDeps, 'images' | 'imageBytes'>): Promise<RenderedImage> {
  if (task.image === undefined) {
    const { request } = task;
    task.image = deps.images.get({
      width: request.width,
      height: request.height,
      format: request.format,
      transparent: false,
      hueBucket: hueBucketOf(request.prompt),
      quality: 90,
      minBytes: deps.imageBytes,
    });
    // Awaited by whoever downloads it; this only keeps an early failure from being unhandled.
    task.image.catch(() => undefined);
  }
  return task.image;
}
