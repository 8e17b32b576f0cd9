import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';

/**
 * `n` (default 1), at most the model's `maxImagesPerRequest`. Above what one upstream call makes
 * is fine: the worker splits it into several calls.
 */
export function resolveImageCount(model: CatalogModel, requested: number | undefined): number {
  const n = requested ?? 1;
  if (n > model.capabilities.maxImagesPerRequest) {
    throw invalidParameter(
      'n',
      `Invalid value for 'n': ${model.id} makes at most ${model.capabilities.maxImagesPerRequest} images per request.`,
    );
  }
  return n;
}
