import { unknownField } from './errors.ts';
import type { GoogleSurface } from './fault-replies.ts';
import { geminiAspectRatios } from './gemini-sizes.ts';
import type { GeminiImageModel } from './models.ts';
import { GEMINI_MODEL_FACTS } from './models.ts';
import type { JsonObject } from './read-fields.ts';
import {
  field,
  Invalid,
  invalid,
  isInvalid,
  optionalInteger,
  optionalObject,
  optionalString,
  unknownKey,
} from './read-fields.ts';

/** The parts of `generationConfig` that shape the emulated answer. */
export interface ImageGenerationConfig {
  /** Include a text part in the answer (`TEXT` requested). */
  wantsText: boolean;
  aspectRatio: string;
  imageSize: string;
  /** Vertex `imageOutputOptions.mimeType`, when given. */
  mimeType?: 'image/png' | 'image/jpeg';
  /** Vertex `imageOutputOptions.compressionQuality`, when given. */
  compressionQuality?: number;
}

/** Every `GenerationConfig` field js-genai knows; anything else is an unknown-name 400. */
const CONFIG_FIELDS = new Set([
  'audioTimestamp',
  'candidateCount',
  'enableAffectiveDialog',
  'enableEnhancedCivicAnswers',
  'frequencyPenalty',
  'imageConfig',
  'logprobs',
  'maxOutputTokens',
  'mediaResolution',
  'modelSelectionConfig',
  'presencePenalty',
  'responseJsonSchema',
  'responseLogprobs',
  'responseMimeType',
  'responseModalities',
  'responseSchema',
  'routingConfig',
  'seed',
  'speechConfig',
  'stopSequences',
  'temperature',
  'thinkingConfig',
  'topK',
  'topP',
]);
const NUMERIC_FIELDS = ['temperature', 'topP', 'topK', 'presencePenalty', 'frequencyPenalty'] as const;
const IMAGE_CONFIG_FIELDS: Readonly<Record<GoogleSurface, ReadonlySet<string>>> = {
  gemini: new Set(['aspectRatio', 'imageSize']),
  // Vertex-only knobs; js-genai refuses to send them to the Gemini API (docs/providers.md, "Gemini").
  vertex: new Set(['aspectRatio', 'imageSize', 'personGeneration', 'imageOutputOptions', 'prominentPeople']),
};
const MODALITIES = ['TEXT', 'IMAGE', 'AUDIO'];
const MIME_TYPES = ['image/png', 'image/jpeg'];
const PERSON_GENERATION = ['ALLOW_ALL', 'ALLOW_ADULT', 'ALLOW_NONE'];

/**
 * Validates `generationConfig` for an image model: modalities must include IMAGE (absent means the
 * model default TEXT+IMAGE), exactly one candidate, and a supported `imageConfig`.
 */
export function readGenerationConfig(
  body: JsonObject,
  model: GeminiImageModel,
  surface: GoogleSurface,
): ImageGenerationConfig | Invalid {
  const config = optionalObject(body, 'generationConfig', 'generation_config');
  if (isInvalid(config)) return config;
  const c: JsonObject = config ?? {};
  const extra = unknownKey(c, CONFIG_FIELDS);
  if (extra !== undefined) return new Invalid(unknownField(extra, 'generation_config'));
  for (const name of NUMERIC_FIELDS) {
    const value = field(c, name);
    if (value !== undefined && value !== null && typeof value !== 'number') {
      return invalid(`Invalid value at 'generation_config.${name}' (TYPE_FLOAT), ${JSON.stringify(value)}`);
    }
  }
  const candidates = optionalInteger(c, 'candidateCount', 'generation_config.candidate_count');
  if (isInvalid(candidates)) return candidates;
  if (candidates !== undefined && candidates !== 1) {
    return invalid(
      candidates > 1 ? `Multiple candidates is not enabled for models/${model}` : 'candidateCount must be positive.',
    );
  }
  const modalities = readModalities(c, model);
  if (isInvalid(modalities)) return modalities;
  const imageConfig = readImageConfig(c, model, surface);
  if (isInvalid(imageConfig)) return imageConfig;
  return { wantsText: modalities.includes('TEXT'), ...imageConfig };
}

function readModalities(c: JsonObject, model: GeminiImageModel): string[] | Invalid {
  const raw = field(c, 'responseModalities');
  if (raw === undefined || raw === null) return ['TEXT', 'IMAGE'];
  if (!Array.isArray(raw)) return invalid(`Invalid value at 'generation_config.response_modalities': expected a list.`);
  const modalities: string[] = [];
  for (const [index, value] of raw.entries()) {
    const name = typeof value === 'string' ? value.toUpperCase() : '';
    if (!MODALITIES.includes(name)) {
      return invalid(
        `Invalid value at 'generation_config.response_modalities[${index}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), ${JSON.stringify(value)}`,
      );
    }
    modalities.push(name);
  }
  if (modalities.includes('AUDIO') || !modalities.includes('IMAGE')) {
    const asked = modalities.map((m) => m.toLowerCase()).join(', ') || 'none';
    return invalid(
      `Model ${model} does not support the requested response modalities: ${asked}. Image models need IMAGE in generationConfig.responseModalities.`,
    );
  }
  return modalities;
}

function readImageConfig(
  c: JsonObject,
  model: GeminiImageModel,
  surface: GoogleSurface,
): Omit<ImageGenerationConfig, 'wantsText'> | Invalid {
  const config = optionalObject(c, 'imageConfig', 'generation_config.image_config');
  if (isInvalid(config)) return config;
  const ic: JsonObject = config ?? {};
  const extra = unknownKey(ic, IMAGE_CONFIG_FIELDS[surface]);
  if (extra !== undefined) return new Invalid(unknownField(extra, 'generation_config.image_config'));
  const facts = GEMINI_MODEL_FACTS[model];
  const aspectRatio = optionalString(ic, 'aspectRatio', 'generation_config.image_config.aspect_ratio');
  if (isInvalid(aspectRatio)) return aspectRatio;
  const ratios = geminiAspectRatios(model);
  if (aspectRatio !== undefined && !ratios.includes(aspectRatio)) {
    return invalid(`Unsupported aspect ratio '${aspectRatio}' for ${model}. Supported values: ${ratios.join(', ')}.`);
  }
  const imageSize = optionalString(ic, 'imageSize', 'generation_config.image_config.image_size');
  if (isInvalid(imageSize)) return imageSize;
  if (imageSize !== undefined && !facts.imageSizes.includes(imageSize)) {
    return invalid(
      `Unsupported image size '${imageSize}' for ${model}. Supported values: ${facts.imageSizes.join(', ')}.`,
    );
  }
  const person = optionalString(ic, 'personGeneration', 'generation_config.image_config.person_generation');
  if (isInvalid(person)) return person;
  if (person !== undefined && !PERSON_GENERATION.includes(person.toUpperCase())) {
    return invalid(`Invalid value at 'generation_config.image_config.person_generation', ${JSON.stringify(person)}`);
  }
  const output = readOutputOptions(ic);
  if (isInvalid(output)) return output;
  return { aspectRatio: aspectRatio ?? '1:1', imageSize: imageSize ?? facts.imageSizes[0] ?? '1K', ...output };
}

function readOutputOptions(ic: JsonObject): Pick<ImageGenerationConfig, 'mimeType' | 'compressionQuality'> | Invalid {
  const options = optionalObject(ic, 'imageOutputOptions', 'generation_config.image_config.image_output_options');
  if (isInvalid(options) || options === undefined) return options ?? {};
  const path = 'generation_config.image_config.image_output_options';
  const mimeType = optionalString(options, 'mimeType', `${path}.mime_type`);
  if (isInvalid(mimeType)) return mimeType;
  if (mimeType !== undefined && !MIME_TYPES.includes(mimeType)) {
    return invalid(
      `Unsupported image_output_options.mime_type '${mimeType}'. Supported values: ${MIME_TYPES.join(', ')}.`,
    );
  }
  const quality = optionalInteger(options, 'compressionQuality', `${path}.compression_quality`);
  if (isInvalid(quality)) return quality;
  if (quality !== undefined && (quality < 0 || quality > 100)) {
    return invalid(`Invalid image_output_options.compression_quality ${quality}: it must be between 0 and 100.`);
  }
  return {
    ...(mimeType === 'image/png' || mimeType === 'image/jpeg' ? { mimeType } : {}),
    ...(quality === undefined ? {} : { compressionQuality: quality }),
  };
}
