/** GPT image models the emulator answers for; anything else is a 404 `model_not_found`. */
export const OPENAI_IMAGE_MODELS = [
  'gpt-image-1',
  'gpt-image-1-mini',
  'gpt-image-1.5',
  'gpt-image-2',
  'gpt-image-2-2026-04-21',
] as const;

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

/** gpt-image-2 and its snapshots accept arbitrary `WxH` sizes; older models only the three presets. */
export function acceptsCustomSizes(model: OpenAIImageModel): boolean {
  return model.startsWith('gpt-image-2');
}
