import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';
import type { RequestedParameters } from './requested-parameters.ts';

/**
 * `stream` and `partial_images` for a model: partials only where the model streams them (elsewhere
 * the stream carries completed images only, said in a warning); `partial_images` without `stream`
 * is ignored with a warning, as it changes nothing; GIF and SVG cannot stream.
 */
export function resolveStream(
  model: CatalogModel,
  requested: Pick<RequestedParameters, 'stream' | 'partial_images'>,
  outputFormat: string,
  warnings: string[],
): { stream?: true; partialImages?: number } {
  const partials = requested.partial_images ?? 0;
  if (requested.stream !== true) {
    if (partials > 0) warnings.push('partial_images only applies with stream: true; it was ignored.');
    return {};
  }
  if (outputFormat === 'gif' || outputFormat === 'svg') {
    throw invalidParameter('stream', `Streaming is not available for output_format '${outputFormat}'.`);
  }
  if (partials === 0) return { stream: true };
  if (!model.capabilities.partialImages) {
    warnings.push(`${model.id} does not stream partial images; the stream carries the finished images only.`);
    return { stream: true };
  }
  return { stream: true, partialImages: partials };
}
