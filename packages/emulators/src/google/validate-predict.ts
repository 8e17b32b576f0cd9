import type { GoogleErrorReply } from './errors.ts';
import { unknownField } from './errors.ts';
import type { ImagenAspectRatio, ImagenImageSize } from './imagen-sizes.ts';
import { IMAGEN_ASPECT_RATIOS, imagenPixels, isImagenAspectRatio } from './imagen-sizes.ts';
import type { ImagenModel } from './models.ts';
import type { JsonObject } from './read-fields.ts';
import {
  Invalid,
  invalid,
  isInvalid,
  isJsonObject,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  unknownKey,
} from './read-fields.ts';

/** A validated Imagen `:predict` request with defaults applied. */
export interface PredictRequest {
  model: ImagenModel;
  prompt: string;
  sampleCount: number;
  aspectRatio: ImagenAspectRatio;
  imageSize: ImagenImageSize;
  width: number;
  height: number;
  mimeType: 'image/png' | 'image/jpeg';
  /** JPEG quality 0–100 (default 75). */
  compressionQuality: number;
  includeRaiReason: boolean;
  enhancePrompt: boolean;
}

/** Validation result: the request, or the reply Vertex would send. */
export type PredictValidation = { ok: true; request: PredictRequest } | { ok: false; error: GoogleErrorReply };

/** Imagen 4's prompt limit in tokens; estimated as ceil(characters / 4). */
export const MAX_PROMPT_TOKENS = 480;
const DEFAULT_SAMPLE_COUNT = 4;
const TOP_LEVEL = new Set(['instances', 'parameters', 'labels']);
const MIME_TYPES = ['image/png', 'image/jpeg'] as const;
const PERSON_GENERATION = ['dont_allow', 'allow_adult', 'allow_all'];
const SAFETY_SETTINGS = [
  'block_low_and_above',
  'block_medium_and_above',
  'block_only_high',
  'block_none',
  'block_most',
  'block_some',
  'block_few',
  'block_fewest',
];
const LANGUAGES = ['auto', 'en', 'zh', 'zh-cn', 'zh-tw', 'hi', 'ja', 'ko', 'pt', 'es'];

/**
 * Validates a `:predict` body the way Vertex does for Imagen 4 (docs/providers.md, "Imagen"). Unknown
 * top-level fields are rejected by the transcoder; unknown `parameters` keys are ignored because
 * `parameters` is a free-form `google.protobuf.Value` on Vertex.
 */
export function validatePredictRequest(model: ImagenModel, body: unknown): PredictValidation {
  const result = readRequest(model, body);
  return isInvalid(result) ? { ok: false, error: result.reply } : { ok: true, request: result };
}

function readRequest(model: ImagenModel, body: unknown): PredictRequest | Invalid {
  if (!isJsonObject(body)) {
    return invalid('Invalid JSON payload received. Unknown name "": Root element must be a message.');
  }
  const extra = unknownKey(body, TOP_LEVEL);
  if (extra !== undefined) return new Invalid(unknownField(extra, ''));
  const instances = body.instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    return invalid('Invalid request: instances must be a non-empty list with one {"prompt": ...} object.');
  }
  if (instances.length > 1) return invalid(`Imagen accepts exactly one instance per request, got ${instances.length}.`);
  const instance: unknown = instances[0];
  if (!isJsonObject(instance)) return invalid("Invalid value at 'instances[0]': expected an object with a prompt.");
  const prompt = instance.prompt;
  if (prompt === undefined || prompt === null) return invalid('Missing required field: instances[0].prompt.');
  if (typeof prompt !== 'string') {
    return invalid(`Invalid value at 'instances[0].prompt' (TYPE_STRING), ${JSON.stringify(prompt)}`);
  }
  if (prompt.trim().length === 0) return invalid('The prompt is empty. Provide a text prompt in instances[0].prompt.');
  const tokens = Math.ceil(prompt.length / 4);
  if (tokens > MAX_PROMPT_TOKENS) {
    return invalid(`The prompt is too long: about ${tokens} tokens, the maximum is ${MAX_PROMPT_TOKENS} tokens.`);
  }

  const parameters = optionalObject(body, 'parameters', 'parameters');
  if (isInvalid(parameters)) return parameters;
  const p: JsonObject = parameters ?? {};
  const sampleCount = optionalInteger(p, 'sampleCount', 'parameters.sampleCount');
  if (isInvalid(sampleCount)) return sampleCount;
  if (sampleCount !== undefined && (sampleCount < 1 || sampleCount > 4)) {
    return invalid(`Invalid sampleCount ${sampleCount} for ${model}: it must be between 1 and 4.`);
  }
  const aspectRatio = optionalString(p, 'aspectRatio', 'parameters.aspectRatio');
  if (isInvalid(aspectRatio)) return aspectRatio;
  if (aspectRatio !== undefined && !isImagenAspectRatio(aspectRatio)) {
    return invalid(`Unsupported aspect ratio '${aspectRatio}'. Supported values: ${IMAGEN_ASPECT_RATIOS.join(', ')}.`);
  }
  const imageSize = readImageSize(model, p);
  if (isInvalid(imageSize)) return imageSize;
  const output = readOutputOptions(p);
  if (isInvalid(output)) return output;
  const flags = readFlags(p);
  if (isInvalid(flags)) return flags;

  const ratio = aspectRatio ?? '1:1';
  return {
    model,
    prompt,
    sampleCount: sampleCount ?? DEFAULT_SAMPLE_COUNT,
    aspectRatio: ratio,
    imageSize,
    ...imagenPixels(ratio, imageSize),
    ...output,
    includeRaiReason: flags.includeRaiReason,
    enhancePrompt: flags.enhancePrompt,
  };
}

/** `sampleImageSize` is case-insensitive; the fast model only renders 1K. */
function readImageSize(model: ImagenModel, p: JsonObject): ImagenImageSize | Invalid {
  const raw = optionalString(p, 'sampleImageSize', 'parameters.sampleImageSize');
  if (isInvalid(raw)) return raw;
  if (raw === undefined) return '1K';
  const size = raw.toUpperCase();
  if (size !== '1K' && size !== '2K') return invalid(`Unsupported sampleImageSize '${raw}'. Supported values: 1K, 2K.`);
  if (size === '2K' && model === 'imagen-4.0-fast-generate-001') {
    return invalid(`sampleImageSize '${raw}' is not supported by ${model}; it only generates 1K images.`);
  }
  return size;
}

function readOutputOptions(p: JsonObject): Pick<PredictRequest, 'mimeType' | 'compressionQuality'> | Invalid {
  const options = optionalObject(p, 'outputOptions', 'parameters.outputOptions');
  if (isInvalid(options)) return options;
  const o: JsonObject = options ?? {};
  const mimeType = optionalString(o, 'mimeType', 'parameters.outputOptions.mimeType');
  if (isInvalid(mimeType)) return mimeType;
  if (mimeType !== undefined && !(MIME_TYPES as readonly string[]).includes(mimeType)) {
    return invalid(`Unsupported outputOptions.mimeType '${mimeType}'. Supported values: ${MIME_TYPES.join(', ')}.`);
  }
  const quality = optionalInteger(o, 'compressionQuality', 'parameters.outputOptions.compressionQuality');
  if (isInvalid(quality)) return quality;
  if (quality !== undefined && (quality < 0 || quality > 100)) {
    return invalid(`Invalid outputOptions.compressionQuality ${quality}: it must be between 0 and 100.`);
  }
  return { mimeType: mimeType === 'image/jpeg' ? 'image/jpeg' : 'image/png', compressionQuality: quality ?? 75 };
}

/** The boolean and enum knobs; only two change the emulated answer, the rest are checked and ignored. */
function readFlags(p: JsonObject): { includeRaiReason: boolean; enhancePrompt: boolean } | Invalid {
  for (const [name, allowed] of [
    ['personGeneration', PERSON_GENERATION],
    ['safetySetting', SAFETY_SETTINGS],
    ['language', LANGUAGES],
  ] as const) {
    const value = optionalString(p, name, `parameters.${name}`);
    if (isInvalid(value)) return value;
    if (value !== undefined && !allowed.includes(value.toLowerCase())) {
      return invalid(`Unsupported ${name} '${value}'. Supported values: ${allowed.join(', ')}.`);
    }
  }
  const flags: Record<string, boolean | undefined> = {};
  for (const name of ['addWatermark', 'enhancePrompt', 'includeRaiReason', 'includeSafetyAttributes']) {
    const value = optionalBoolean(p, name, `parameters.${name}`);
    if (isInvalid(value)) return value;
    flags[name] = value;
  }
  const seed = optionalInteger(p, 'seed', 'parameters.seed');
  if (isInvalid(seed)) return seed;
  if (seed !== undefined && flags.addWatermark !== false) {
    return invalid(
      'Seed is not supported when addWatermark is enabled. Set parameters.addWatermark to false to use a seed.',
    );
  }
  const negativePrompt = optionalString(p, 'negativePrompt', 'parameters.negativePrompt');
  if (isInvalid(negativePrompt)) return negativePrompt;
  if (p.storageUri !== undefined && p.storageUri !== null) {
    return invalid('parameters.storageUri is not supported by the imagegate emulator; omit it to get inline bytes.');
  }
  return { includeRaiReason: flags.includeRaiReason === true, enhancePrompt: flags.enhancePrompt === true };
}
