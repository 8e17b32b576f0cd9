import type { GenerationParameters } from '@imagegate/contracts';
import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';
import { modernQuality, type RequestedQuality } from './legacy-openai-fields.ts';

/**
 * `quality` (default `auto`), one of the model's qualities: a model without the knob takes only
 * `auto`. DALL·E's `standard`/`hd` map to the nearest, said in `warnings`.
 */
export function resolveQuality(
  model: CatalogModel,
  requested: RequestedQuality | undefined,
  warnings: string[],
): GenerationParameters['quality'] {
  const quality = modernQuality(model, requested, warnings) ?? 'auto';
  if (!model.capabilities.qualities.includes(quality)) {
    throw invalidParameter(
      'quality',
      `Invalid value for 'quality': ${model.id} supports ${model.capabilities.qualities.join(', ')}.`,
    );
  }
  return quality;
}
