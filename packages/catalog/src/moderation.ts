import type { GenerationParameters } from '@imagegate/contracts';
import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';

/** `moderation` as asked, for a model that takes it; asking one that does not is a 400. */
export function resolveModeration(
  model: CatalogModel,
  requested: GenerationParameters['moderation'],
): GenerationParameters['moderation'] {
  if (requested !== undefined && !model.capabilities.moderation) {
    throw invalidParameter('moderation', `${model.id} does not take 'moderation'.`);
  }
  return requested;
}
