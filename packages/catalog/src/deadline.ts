import type { CatalogModel } from './catalog-schema.ts';
import { parseSize } from './image-shape.ts';
import type { GenerationParameters } from './parameters.ts';

/** Renders this large take the model's slow deadline, as `quality: high` does. */
const SLOW_PIXELS = 4_000_000;

/**
 * Milliseconds a job on `model` may run from its first start: the model's deadline, or its slow
 * deadline for a `high` render or one of 4 MP and more (a 4K Gemini image, a large gpt-image-2).
 */
export function deadlineMs(model: CatalogModel, parameters: Pick<GenerationParameters, 'size' | 'quality'>): number {
  const size = parseSize(parameters.size);
  const slow = parameters.quality === 'high' || (size !== undefined && size.width * size.height >= SLOW_PIXELS);
  const seconds = slow ? (model.deadline.slowSeconds ?? model.deadline.seconds) : model.deadline.seconds;
  return seconds * 1000;
}
