/**
 * GPT image models the emulator answers for; anything else is a 404 `model_not_found`. The models
 * OpenAI shut down (gpt-image-1, 1-mini, 1.5) are still served, so a gateway that brings one back
 * through its catalog can be tested.
 */
export const OPENAI_IMAGE_MODELS = [
  'gpt-image-1',
  'gpt-image-1-mini',
  'gpt-image-1.5',
  'gpt-image-2',
  'gpt-image-2-2026-04-21',
  'gpt-image-2.5-sunburst',
  'gpt-image-2.5-sunburst-2026-09-08',
  'gpt-image-2.5-flare',
  'gpt-image-2.5-flare-2026-09-08',
  'gpt-image-2.6-sunburst',
  'gpt-image-2.6-flare',
] as const;

/** The models `GET /v1/models` lists: those OpenAI serves today (2026-12). */
export const LISTED_OPENAI_IMAGE_MODELS: readonly OpenAIImageModel[] = OPENAI_IMAGE_MODELS.filter(
  (model) => !model.startsWith('gpt-image-1'),
);

/** One of {@link OPENAI_IMAGE_MODELS}. */
export type OpenAIImageModel = (typeof OPENAI_IMAGE_MODELS)[number];

/**
 * Model used when `model` is absent or null. Upstream would fall back to dall-e-2, which the
 * emulator does not implement, so the oldest GPT image model is the closest useful stand-in.
 */
export const DEFAULT_OPENAI_IMAGE_MODEL: OpenAIImageModel = 'gpt-image-1';

/** Narrows a string to a supported model id. */
export function isOpenAIImageModel(model: string): model is OpenAIImageModel {
  return (OPENAI_IMAGE_MODELS as readonly string[]).includes(model);
}

/** gpt-image-2 and later accept arbitrary `WxH` sizes; older models only the three presets. */
export function acceptsCustomSizes(model: OpenAIImageModel): boolean {
  return model.startsWith('gpt-image-2');
}

/** The qualities a model takes: `xhigh` and `max` came with gpt-image-2.5 (openai SDK 7.12.0). */
export function qualitiesOf(model: OpenAIImageModel): readonly string[] {
  const base = ['low', 'medium', 'high', 'auto'];
  return isGeneration25OrLater(model) ? [...base, 'xhigh', 'max'] : base;
}

/** gpt-image-2 (not 2.5, 2.6) refuses transparent backgrounds since 2026-09-30. */
export function refusesTransparency(model: OpenAIImageModel): boolean {
  return model === 'gpt-image-2' || model === 'gpt-image-2-2026-04-21';
}

/** Only gpt-image-2.6 makes GIF and SVG. */
export function makesAnimationAndVector(model: OpenAIImageModel): boolean {
  return model.startsWith('gpt-image-2.6');
}

/** Reported usage follows OpenAI's token formula on gpt-image-2 and later, gpt-image-1's table before. */
export function usesTokenFormula(model: OpenAIImageModel): boolean {
  return model.startsWith('gpt-image-2');
}

function isGeneration25OrLater(model: OpenAIImageModel): boolean {
  return model.startsWith('gpt-image-2.5') || model.startsWith('gpt-image-2.6');
}
