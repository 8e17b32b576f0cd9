import type { RenderedImage } from '../images/image-source.ts';
import { HUE_BUCKETS, hueBucketOf } from '../images/image-spec.ts';
import type { EditPaint } from '../images/paint-edit.ts';
import { paintEdit, promptColour } from '../images/paint-edit.ts';
import type { BflDeps } from './deps.ts';
import { inlineImageBytes } from './edit-inputs.ts';
import type { BflTask } from './task-store.ts';
import type { SubmitRequest } from './validate-submit.ts';

/**
 * The task's image, rendered on first need (the first `Ready` poll or download) and then kept on
 * the task. Lazy so that benchmarks submitting thousands of never-fetched tasks cost no encoding.
 */
export function taskImage(task: BflTask, deps: Pick<BflDeps, 'images' | 'imageBytes'>): Promise<RenderedImage> {
  if (task.image === undefined) {
    const { request } = task;
    const rendered = (): Promise<RenderedImage> =>
      deps.images.get({
        width: request.width,
        height: request.height,
        format: request.format,
        transparent: false,
        hueBucket: hueBucketOf(request.prompt),
        quality: 90,
        minBytes: deps.imageBytes,
      });
    task.image = request.edit === undefined ? rendered() : editedImage(request).catch(rendered);
    // Awaited by whoever downloads it; this only keeps an early failure from being unhandled.
    task.image.catch(() => undefined);
  }
  return task.image;
}

/**
 * An edit's output: Fill repaints exactly the mask's white pixels (or, without a mask, the image's
 * transparent ones) in the prompt's colour; reference edits tint the first input image all over.
 */
async function editedImage(request: SubmitRequest): Promise<RenderedImage> {
  const edit = request.edit;
  if (edit === undefined) throw new Error('not an edit');
  const source = inlineImageBytes(edit.image);
  let mask: EditPaint['mask'];
  if (request.model === 'flux-pro-1.0-fill') {
    mask =
      edit.mask === undefined
        ? { bytes: source, convention: 'alpha-zero' }
        : { bytes: inlineImageBytes(edit.mask), convention: 'white' };
  }
  const bytes = await paintEdit({
    source,
    ...(mask === undefined ? {} : { mask }),
    width: request.width,
    height: request.height,
    colour: promptColour(hueBucketOf(request.prompt), HUE_BUCKETS),
    format: request.format,
    quality: 90,
  });
  return { bytes, base64: Buffer.from(bytes.toString('base64'), 'latin1') };
}
