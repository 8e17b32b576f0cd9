import type { FreeSizes } from './image-shape.ts';

/** What keeps `width`×`height` from being a size a free-size model makes (empty when it is one). */
export function freeSizeProblems(sizes: FreeSizes, width: number, height: number): string[] {
  const problems: string[] = [];
  if (width % sizes.multipleOf !== 0 || height % sizes.multipleOf !== 0)
    problems.push(`both edges must be multiples of ${sizes.multipleOf}`);
  if (sizes.minEdge !== undefined && Math.min(width, height) < sizes.minEdge)
    problems.push(`the shortest edge must be at least ${sizes.minEdge}`);
  if (Math.max(width, height) > sizes.maxEdge) problems.push(`the longest edge must be at most ${sizes.maxEdge}`);
  if (Math.max(width, height) / Math.min(width, height) > sizes.maxAspectRatio)
    problems.push(`the aspect ratio must be at most ${sizes.maxAspectRatio}:1`);
  const pixels = width * height;
  if (pixels < sizes.minPixels || pixels > sizes.maxPixels)
    problems.push(`the pixel count must be between ${sizes.minPixels} and ${sizes.maxPixels}`);
  return problems;
}

/**
 * About one megapixel at `ratio` on the model's grid, shrunk to fit its longest edge and pixel
 * ceiling and grown to its shortest edge and pixel floor; undefined when no size fits all of them.
 */
export function freeSizeForRatio(sizes: FreeSizes, ratio: number): string | undefined {
  const step = sizes.multipleOf;
  let width = Math.sqrt(1024 * 1024 * ratio);
  let height = width / ratio;
  const shrink = Math.min(1, sizes.maxEdge / Math.max(width, height), Math.sqrt(sizes.maxPixels / (width * height)));
  width *= shrink;
  height *= shrink;
  const grow = Math.max(
    1,
    (sizes.minEdge ?? 0) / Math.min(width, height),
    Math.sqrt(sizes.minPixels / (width * height)),
  );
  width = Math.round((width * grow) / step) * step;
  height = Math.round((height * grow) / step) * step;
  return freeSizeProblems(sizes, width, height).length === 0 ? `${width}x${height}` : undefined;
}
