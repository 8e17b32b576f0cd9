import type { OpenAIErrorReply } from './errors.ts';
import { invalidRequest, listValues, openAIError } from './errors.ts';
import { resolveSize } from './image-sizes.ts';
import type { OpenAIImageModel } from './models.ts';
import {
  DEFAULT_OPENAI_IMAGE_MODEL,
  isOpenAIImageModel,
  makesAnimationAndVector,
  qualitiesOf,
  refusesTransparency,
} from './models.ts';

/** A generation request after validation, with every `auto` resolved the way OpenAI reports it. */
export interface GenerationRequest {
  model: OpenAIImageModel;
  prompt: string;
  /** Images requested, 1–10. */
  n: number;
  width: number;
  height: number;
  /** `WxH` echoed in the response. */
  size: string;
  quality: 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  background: 'transparent' | 'opaque';
  outputFormat: 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';
  /** GIF only: frames in the loop (2–16, default 9) and ms each shows (default 200, rounded to 10). */
  frameCount: number | null;
  frameDurationMs: number | null;
  /** Planning effort (gpt-image-2.6), echoed nowhere but accepted. */
  complexity: 'low' | 'medium' | 'high' | null;
  /** Hashed end-user id, echoed in the response. */
  safetyIdentifier: string | null;
  /** 0–100 for jpeg/webp (default 100); null for png. */
  outputCompression: number | null;
  moderation: 'low' | 'auto';
  user: string | null;
  /** Answer as `text/event-stream`: `partialImages` partial events, then one completed event per image. */
  stream: boolean;
  /** 0–3. */
  partialImages: number;
}

/** Validation result: the request, or the exact error OpenAI would answer with. */
export type GenerationValidation = { ok: true; request: GenerationRequest } | { ok: false; error: OpenAIErrorReply };

/** Upper bound on prompt length for GPT image models, in UTF-16 code units. */
export const MAX_PROMPT_CHARS = 32_000;

const KNOWN_FIELDS = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'background',
  'output_format',
  'output_compression',
  'moderation',
  'response_format',
  'stream',
  'partial_images',
  'style',
  'user',
  'complexity',
  'frame_count',
  'frame_duration_ms',
  'svg',
  'safety_identifier',
]);
/** Fields of the public schema that GPT image models reject (dall-e only). */
const DALLE_ONLY_FIELDS = ['response_format', 'style'] as const;
const QUALITIES = ['low', 'medium', 'high', 'xhigh', 'max', 'auto'] as const;
const BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const;
const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'gif', 'svg'] as const;
const COMPLEXITIES = ['low', 'medium', 'high'] as const;
/** OpenAI caps a GIF frame's duration at 655,350 ms. */
const MAX_FRAME_DURATION_MS = 655_350;
const MODERATIONS = ['low', 'auto'] as const;

type Fail = { ok: false; error: OpenAIErrorReply };

function fail(error: OpenAIErrorReply): Fail {
  return { ok: false, error };
}

function typeError(field: string, expected: string, value: unknown): Fail {
  const got = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return fail(
    invalidRequest(`Invalid type for '${field}': expected ${expected}, but got ${got} instead.`, field, 'invalid_type'),
  );
}

function enumError(field: string, value: string, allowed: readonly string[]): Fail {
  return fail(invalidRequest(`Invalid value: '${value}'. Supported values are: ${listValues(allowed)}.`, field));
}

/** Reads an optional enum field; explicit null counts as absent. */
function readEnum<T extends string>(
  body: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
): T | undefined | Fail {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return typeError(field, 'a string', value);
  if (!(allowed as readonly string[]).includes(value)) return enumError(field, value, allowed);
  return value as T;
}

/** Reads an optional integer field within [min, max]; explicit null counts as absent. */
function readInt(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined | Fail {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return typeError(field, 'an integer', value);
  if (value < min || value > max) {
    return fail(
      invalidRequest(`Invalid '${field}': expected an integer between ${min} and ${max}, but got ${value}.`, field),
    );
  }
  return value;
}

function isFail(value: unknown): value is Fail {
  return typeof value === 'object' && value !== null && 'ok' in value && value.ok === false;
}

/**
 * Validates a parsed `POST /v1/images/generations` body the way OpenAI does for GPT image models:
 * unknown fields first, then the model (404 when unknown), then each field, then cross-field rules.
 */
export function validateGenerationRequest(body: unknown): GenerationValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(invalidRequest('The request body must be a JSON object.', null, null));
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) return fail(invalidRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter'));
  }
  for (const key of DALLE_ONLY_FIELDS) {
    if (fields[key] !== undefined && fields[key] !== null) {
      return fail(invalidRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter'));
    }
  }

  const modelValue = fields.model ?? DEFAULT_OPENAI_IMAGE_MODEL;
  if (typeof modelValue !== 'string') return typeError('model', 'a string', modelValue);
  if (!isOpenAIImageModel(modelValue)) {
    const message = `The model '${modelValue}' does not exist or you do not have access to it.`;
    return fail(openAIError(404, 'invalid_request_error', message, null, 'model_not_found'));
  }
  const model = modelValue;

  const prompt = fields.prompt;
  if (prompt === undefined || prompt === null) {
    return fail(invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter'));
  }
  if (typeof prompt !== 'string') return typeError('prompt', 'a string', prompt);
  if (prompt.trim().length === 0) return fail(invalidRequest("Invalid 'prompt': empty string.", 'prompt'));
  if (prompt.length > MAX_PROMPT_CHARS) {
    const message = `Invalid 'prompt': string too long. Expected a string with maximum length ${MAX_PROMPT_CHARS}, but got a string with length ${prompt.length} instead.`;
    return fail(invalidRequest(message, 'prompt'));
  }

  const n = readInt(fields, 'n', 1, 10);
  if (isFail(n)) return n;

  const sizeValue = fields.size ?? 'auto';
  if (typeof sizeValue !== 'string') return typeError('size', 'a string', sizeValue);
  const size = resolveSize(model, sizeValue);
  if ('error' in size) return fail(invalidRequest(size.error, 'size'));

  const quality = readEnum(
    fields,
    'quality',
    QUALITIES.filter((each) => qualitiesOf(model).includes(each)),
  );
  if (isFail(quality)) return quality;
  const background = readEnum(fields, 'background', BACKGROUNDS);
  if (isFail(background)) return background;
  if (background === 'transparent' && refusesTransparency(model)) {
    // Not billed upstream; the preview ended on 2026-09-30.
    return fail(invalidRequest('Transparent background is not supported for this model.', 'background'));
  }
  const outputFormat = readEnum(
    fields,
    'output_format',
    OUTPUT_FORMATS.filter((format) => makesAnimationAndVector(model) || (format !== 'gif' && format !== 'svg')),
  );
  if (isFail(outputFormat)) return outputFormat;
  const frameCount = readInt(fields, 'frame_count', 2, 16);
  if (isFail(frameCount)) return frameCount;
  const frameDurationMs = readInt(fields, 'frame_duration_ms', 10, MAX_FRAME_DURATION_MS);
  if (isFail(frameDurationMs)) return frameDurationMs;
  const complexity = readEnum(fields, 'complexity', COMPLEXITIES);
  if (isFail(complexity)) return complexity;
  if (complexity !== undefined && !makesAnimationAndVector(model)) {
    return fail(invalidRequest("'complexity' is not supported for this model.", 'complexity'));
  }
  const safetyIdentifier = fields.safety_identifier;
  if (safetyIdentifier !== undefined && safetyIdentifier !== null && typeof safetyIdentifier !== 'string') {
    return typeError('safety_identifier', 'a string', safetyIdentifier);
  }
  const svg = fields.svg;
  if (svg !== undefined && svg !== null && (typeof svg !== 'object' || Array.isArray(svg))) {
    return typeError('svg', 'an object', svg);
  }
  const outputCompression = readInt(fields, 'output_compression', 0, 100);
  if (isFail(outputCompression)) return outputCompression;
  const moderation = readEnum(fields, 'moderation', MODERATIONS);
  if (isFail(moderation)) return moderation;
  const partialImages = readInt(fields, 'partial_images', 0, 3);
  if (isFail(partialImages)) return partialImages;

  const stream = fields.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    return typeError('stream', 'a boolean', stream);
  }
  const user = fields.user;
  if (user !== undefined && user !== null && typeof user !== 'string') return typeError('user', 'a string', user);

  const format = outputFormat ?? 'png';
  const animationOrVector = checkAnimationAndVector(format, {
    n: n ?? 1,
    frameCount,
    frameDurationMs,
    outputCompression,
    partialImages,
    svg,
  });
  if (animationOrVector !== undefined) return animationOrVector;
  if (stream === true && (format === 'gif' || format === 'svg')) {
    return fail(invalidRequest(`Streaming is not supported with output_format '${format}'.`, 'stream'));
  }
  if (background === 'transparent' && format === 'jpeg') {
    return fail(
      invalidRequest("Transparent background is only supported with output_format 'png' or 'webp'.", 'background'),
    );
  }
  if (outputCompression !== undefined && format === 'png') {
    return fail(
      invalidRequest("output_compression is only supported with output_format 'jpeg' or 'webp'.", 'output_compression'),
    );
  }

  return {
    ok: true,
    request: {
      model,
      prompt,
      n: n ?? 1,
      width: size.width,
      height: size.height,
      size: size.label,
      quality: quality === undefined || quality === 'auto' ? 'medium' : quality,
      background: background === 'transparent' ? 'transparent' : 'opaque',
      outputFormat: format,
      outputCompression: format === 'jpeg' || format === 'webp' ? (outputCompression ?? 100) : null,
      frameCount: format === 'gif' ? (frameCount ?? 9) : null,
      // Rounded to 10 ms, as OpenAI does.
      frameDurationMs: format === 'gif' ? Math.round((frameDurationMs ?? 200) / 10) * 10 : null,
      complexity: complexity ?? null,
      safetyIdentifier: typeof safetyIdentifier === 'string' ? safetyIdentifier : null,
      moderation: moderation ?? 'auto',
      user: typeof user === 'string' ? user : null,
      stream: stream === true,
      partialImages: partialImages ?? 0,
    },
  };
}

/**
 * GIF and SVG rules (openai SDK 7.59): `frame_count`/`frame_duration_ms` only with GIF; neither
 * takes `output_compression` or `partial_images`; SVG makes one image per request, and `svg` only
 * goes with it.
 */
function checkAnimationAndVector(
  format: GenerationRequest['outputFormat'],
  fields: {
    n: number;
    frameCount: number | undefined;
    frameDurationMs: number | undefined;
    outputCompression: number | undefined;
    partialImages: number | undefined;
    svg: unknown;
  },
): Fail | undefined {
  if (format !== 'gif') {
    for (const [field, value] of [
      ['frame_count', fields.frameCount],
      ['frame_duration_ms', fields.frameDurationMs],
    ] as const) {
      if (value !== undefined)
        return fail(invalidRequest(`'${field}' is only supported with output_format 'gif'.`, field));
    }
  }
  if (format !== 'svg' && fields.svg !== undefined && fields.svg !== null) {
    return fail(invalidRequest("'svg' is only supported with output_format 'svg'.", 'svg'));
  }
  if (format !== 'gif' && format !== 'svg') return undefined;
  if (fields.outputCompression !== undefined) {
    return fail(
      invalidRequest(`output_compression is not supported with output_format '${format}'.`, 'output_compression'),
    );
  }
  if ((fields.partialImages ?? 0) > 0) {
    return fail(invalidRequest(`partial_images is not supported with output_format '${format}'.`, 'partial_images'));
  }
  if (format === 'svg' && fields.n !== 1) {
    return fail(invalidRequest("output_format 'svg' makes one image per request; n must be 1.", 'n'));
  }
  return undefined;
}
