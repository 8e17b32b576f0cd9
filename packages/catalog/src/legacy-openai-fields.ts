import type { GenerationParameters } from '@imagegate/contracts';
import type { CatalogModel } from './catalog-schema.ts';

/** Qualities clients written for DALL·E send (`standard`, `hd`), next to the GPT image models' own. */
export type RequestedQuality = GenerationParameters['quality'] | 'standard' | 'hd';

/** DALL·E's `standard` is an everyday render, `hd` a finer one: the nearest GPT image qualities. */
const LEGACY_QUALITY: Readonly<Record<'standard' | 'hd', GenerationParameters['quality']>> = {
  standard: 'medium',
  hd: 'high',
};

/**
 * A quality the model takes for what the client asked: DALL·E's `standard`/`hd` become the model's
 * nearest quality (`auto` on models without a quality knob), said in a warning, so clients written
 * for older OpenAI models keep working. Anything else is returned as is, for the caller to check.
 */
export function modernQuality(
  model: CatalogModel,
  quality: RequestedQuality | undefined,
  warnings: string[],
): GenerationParameters['quality'] | undefined {
  if (quality !== 'standard' && quality !== 'hd') return quality;
  const wanted = LEGACY_QUALITY[quality];
  const mapped = model.capabilities.qualities.includes(wanted) ? wanted : 'auto';
  warnings.push(`quality '${quality}' is DALL·E's; ${model.id} rendered at quality '${mapped}'.`);
  return mapped;
}

/**
 * DALL·E 3's `style` (`vivid`, `natural`; LangChain's DallEAPIWrapper always sends it) has no
 * counterpart on current models: it is ignored, with a warning rather than a 400.
 */
export function ignoredStyleWarning(style: string | undefined): string | undefined {
  return style === undefined ? undefined : `style '${style}' is DALL·E 3's and was ignored.`;
}
