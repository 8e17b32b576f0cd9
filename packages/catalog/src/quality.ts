import type { GenerationParameters } from '@imagegate/contracts';
import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';

/** `quality` (default `auto`), one of the model's qualities: a model without the knob takes only `auto`. */
export function resolveQuality(
  model: CatalogModel,
  requested: GenerationParameters['quality'] | undefined,
): GenerationParameters['quality'] {
  const quality = requested ?? 'auto';
  if (!model.capabilities.qualities.includes(quality)) {
    throw invalidParameter(
      'quality',
      `Invalid value for 'quality': ${model.id} supports ${model.capabilities.qualities.join(', ')}.`,
    );
  }
  return quality;
}
