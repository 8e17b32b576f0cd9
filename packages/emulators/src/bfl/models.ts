/** BFL endpoints (`POST /v1/{model}`) the emulator serves. */
export const BFL_MODELS = [
  'flux-2-pro',
  'flux-2-flex',
  'flux-2-max',
  'flux-2-klein-4b',
  'flux-2-klein-9b',
  'flux-kontext-pro',
  'flux-kontext-max',
  'flux-pro-1.1',
  'flux-pro-1.1-ultra',
  'flux-3-image',
  'flux-pro-1.0-fill',
] as const;

/** One of {@link BFL_MODELS}. */
export type BflModel = (typeof BFL_MODELS)[number];

/** Request schemas differ per family (docs/providers.md, "Black Forest Labs"). */
export type BflFamily = 'flux2' | 'kontext' | 'flux11' | 'ultra' | 'flux3' | 'fill';

/** What the emulator needs to know per model. */
export interface BflModelFacts {
  family: BflFamily;
  /** `output_format` when absent or null. */
  defaultFormat: 'jpeg' | 'png';
  /** Highest `safety_tolerance` accepted. */
  maxSafetyTolerance: number;
  /** Number of `input_image*` fields (`input_image`, `input_image_2` …); 0 for none. */
  inputImages: number;
  /** Credits for the first output megapixel (1 credit = USD 0.01). */
  credits: number;
  /** Credits per additional output megapixel (FLUX.2 bills by resolution; others are flat). */
  creditsPerExtraMp: number;
}

/** Facts per model; credits from BFL's price list (black-forest-labs/skills, docs.bfl.ai pricing). */
export const BFL_MODEL_FACTS: Readonly<Record<BflModel, BflModelFacts>> = {
  'flux-2-pro': {
    family: 'flux2',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 5,
    inputImages: 8,
    credits: 3,
    creditsPerExtraMp: 1.5,
  },
  'flux-2-flex': {
    family: 'flux2',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 5,
    inputImages: 8,
    credits: 5,
    creditsPerExtraMp: 5,
  },
  'flux-2-max': {
    family: 'flux2',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 5,
    inputImages: 8,
    credits: 7,
    creditsPerExtraMp: 3,
  },
  'flux-2-klein-4b': {
    family: 'flux2',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 5,
    inputImages: 4,
    credits: 1.4,
    creditsPerExtraMp: 0.1,
  },
  'flux-2-klein-9b': {
    family: 'flux2',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 5,
    inputImages: 4,
    credits: 1.5,
    creditsPerExtraMp: 0.2,
  },
  'flux-kontext-pro': {
    family: 'kontext',
    defaultFormat: 'png',
    maxSafetyTolerance: 6,
    inputImages: 4,
    credits: 4,
    creditsPerExtraMp: 0,
  },
  'flux-kontext-max': {
    family: 'kontext',
    defaultFormat: 'png',
    maxSafetyTolerance: 6,
    inputImages: 4,
    credits: 8,
    creditsPerExtraMp: 0,
  },
  'flux-pro-1.1': {
    family: 'flux11',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 6,
    inputImages: 0,
    credits: 4,
    creditsPerExtraMp: 0,
  },
  // FLUX 3 Image (2026-10-01): strict schema, aspect ratio × resolution, JPEG; $0.048 at 1k (third
  // parties), the emulator bills that flat.
  'flux-3-image': {
    family: 'flux3',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 4,
    inputImages: 0,
    credits: 4.8,
    creditsPerExtraMp: 0,
  },
  // FLUX.1 Fill [pro] (inpainting): `image` + `mask`, output the size of `image`; $0.05 flat.
  'flux-pro-1.0-fill': {
    family: 'fill',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 6,
    inputImages: 0,
    credits: 5,
    creditsPerExtraMp: 0,
  },
  'flux-pro-1.1-ultra': {
    family: 'ultra',
    defaultFormat: 'jpeg',
    maxSafetyTolerance: 6,
    inputImages: 0,
    credits: 6,
    creditsPerExtraMp: 0,
  },
};

/** Narrows a path segment to a served model. */
export function isBflModel(model: string): model is BflModel {
  return (BFL_MODELS as readonly string[]).includes(model);
}

/** Pixels in a megapixel as the emulator bills them: 1024×1024 is BFL's "1 MP". */
export const MEGAPIXEL = 1024 * 1024;

/** Credits charged for an output of `width`×`height` and `inputMp` input megapixels (FLUX.2 bills both). */
export function bflCost(model: BflModel, width: number, height: number, inputMp = 0): number {
  const facts = BFL_MODEL_FACTS[model];
  const extraMp = Math.max(0, Math.ceil((width * height) / MEGAPIXEL - 1));
  const input = facts.family === 'flux2' ? inputMp * facts.creditsPerExtraMp : 0;
  return Math.round((facts.credits + extraMp * facts.creditsPerExtraMp + input) * 100) / 100;
}
