import type { CatalogModel } from './catalog-schema.ts';
import { freeSizeForRatio } from './free-sizes.ts';
import { MAX_SHAPE_DISTANCE, nearestShape, parseAspectRatio, ratioOfSize, shapeDistance } from './image-shape.ts';
import { invalidParameter } from './invalid-parameter.ts';

/** The model's size closest to an aspect ratio (log distance), or 400 when none is close enough. */
export function sizeForAspectRatio(model: CatalogModel, aspectRatio: string): string {
  const sizes = model.capabilities.sizes;
  const ratio = parseAspectRatio(aspectRatio);
  if (sizes.mode === 'aspect') {
    const option = nearestShape(sizes.options, ratio);
    if (option === undefined)
      throw invalidParameter('aspect_ratio', `${model.id} cannot produce aspect ratio ${aspectRatio}.`);
    return option.size;
  }
  if (sizes.mode === 'free') {
    const size = Math.max(ratio, 1 / ratio) > sizes.maxAspectRatio ? undefined : freeSizeForRatio(sizes, ratio);
    if (size === undefined) {
      throw invalidParameter(
        'aspect_ratio',
        `${model.id} cannot make aspect ratio ${aspectRatio} (at most ${sizes.maxAspectRatio}:1, edges ${sizes.minEdge ?? 1} to ${sizes.maxEdge} px).`,
      );
    }
    return size;
  }
  let best = sizes.values[0] ?? sizes.default;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const value of sizes.values) {
    const distance = shapeDistance(ratioOfSize(value), ratio);
    if (distance < bestDistance) {
      best = value;
      bestDistance = distance;
    }
  }
  if (bestDistance > MAX_SHAPE_DISTANCE) {
    throw invalidParameter(
      'aspect_ratio',
      `${model.id} cannot produce aspect ratio ${aspectRatio}. Sizes: ${sizes.values.join(', ')}.`,
    );
  }
  return best;
}
