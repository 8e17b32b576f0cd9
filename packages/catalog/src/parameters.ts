import type { GenerationParameters } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import { type FormatExtrasRequest, resolveFormatExtras } from './animation-and-vector.ts';
import type { CatalogModel } from './catalog-schema.ts';
import { ignoredStyleWarning, modernQuality, type RequestedQuality } from './legacy-openai-fields.ts';
import { MAX_SHAPE_DISTANCE, nearestFixedSize, nearestFreeSize, shapeDistance } from './nearest-size.ts';
import { resolveProviderOptions } from './provider-options.ts';

export type { GenerationParameters };

/** The request fields the catalog narrows per model (a subset of the public request). */
export interface RequestedParameters extends FormatExtrasRequest {
  n?: number | undefined;
  size?: string | undefined;
  aspect_ratio?: string | undefined;
  /** `standard`/`hd` (DALL·E's) are mapped to the model's nearest quality, with a warning. */
  quality?: RequestedQuality | undefined;
  /** DALL·E 3's `style`: ignored, with a warning. */
  style?: string | undefined;
  background?: 'transparent' | 'opaque' | 'auto' | undefined;
  output_format?: GenerationParameters['outputFormat'] | undefined;
  output_compression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
  providerOptions?: Record<string, unknown> | undefined;
  /** The body field the options came in (`providerOptions` or `provider_options`), for error params. */
  providerOptionsField?: string | undefined;
}

export function parseSize(size: string): { width: number; height: number } | undefined {
  const match = /^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$/.exec(size);
  if (match === null) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

function parseAspectRatio(aspectRatio: string): number {
  const [width, height] = aspectRatio.split(':').map(Number);
  return (width ?? 1) / (height ?? 1);
}

function invalid(param: string, message: string): InvalidRequestError {
  return new InvalidRequestError(message, { param, code: 'invalid_value' });
}

/** What a size resolves to: `WxH` and, for aspect-ratio models, the upstream's form of it. */
interface ResolvedSize {
  size: string;
  aspectRatio?: string | undefined;
  imageSize?: string | undefined;
}

type AspectSizes = Extract<CatalogModel['capabilities']['sizes'], { mode: 'aspect' }>;
type SizeOption = AspectSizes['options'][number];

/** Rounding a free size to the model's grid moves the shape a little; beyond 2% it is worth saying. */
const NOTICEABLE_SHAPE_DISTANCE = Math.log(1.02);

const ratioOfSize = (size: string): number => {
  const parsed = parseSize(size);
  return parsed ? parsed.width / parsed.height : 1;
};

function resolveSize(model: CatalogModel, requested: RequestedParameters, warnings: string[]): ResolvedSize {
  const sizes = model.capabilities.sizes;
  if (requested.size !== undefined && requested.aspect_ratio !== undefined) {
    throw invalid('aspect_ratio', "Give either 'size' or 'aspect_ratio', not both.");
  }
  if (sizes.mode === 'aspect') return resolveAspectSize(model, sizes, requested, warnings);
  if (requested.aspect_ratio !== undefined) {
    const size = sizeForAspectRatio(model, requested.aspect_ratio);
    if (shapeDistance(ratioOfSize(size), parseAspectRatio(requested.aspect_ratio)) > NOTICEABLE_SHAPE_DISTANCE) {
      warnings.push(`${model.id} has no ${requested.aspect_ratio} size; used the nearest, ${size}.`);
    }
    return { size };
  }
  const size = requested.size ?? 'auto';
  if (size === 'auto') return { size: sizes.auto ? 'auto' : sizes.default };

  const parsed = parseSize(size);
  if (parsed === undefined) {
    throw invalid('size', `Invalid value for 'size': '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.`);
  }
  if (sizes.mode === 'fixed') {
    if (sizes.values.includes(size)) return { size };
    const nearest = nearestFixedSize(sizes.values, parsed.width, parsed.height);
    if (nearest === undefined) {
      throw invalid(
        'size',
        `Invalid value for 'size': '${size}' is not supported by ${model.id}. Supported: ${['auto', ...sizes.values].join(', ')}.`,
      );
    }
    warnings.push(`${model.id} does not make ${size}; used the nearest size, ${nearest}.`);
    return { size: nearest };
  }
  const problems = freeSizeProblems(sizes, parsed.width, parsed.height);
  if (problems.length === 0) return { size };
  const fits = (width: number, height: number) => freeSizeProblems(sizes, width, height).length === 0;
  const nearest = nearestFreeSize(sizes, parsed.width, parsed.height, fits);
  if (nearest === undefined)
    throw invalid('size', `Invalid value for 'size': '${size}' for ${model.id}: ${problems.join('; ')}.`);
  warnings.push(`${model.id} does not make ${size} (${problems.join('; ')}); used the nearest size, ${nearest}.`);
  return { size: nearest };
}

type FreeSizes = Extract<CatalogModel['capabilities']['sizes'], { mode: 'free' }>;

/** What keeps `width`×`height` from being a size a free-size model makes (empty when it is one). */
function freeSizeProblems(sizes: FreeSizes, width: number, height: number): string[] {
  const problems: string[] = [];
  if (width % sizes.multipleOf !== 0 || height % sizes.multipleOf !== 0)
    problems.push(`both edges must be multiples of ${sizes.multipleOf}`);
  if (sizes.minEdge !== undefined && Math.min(width, height) < sizes.minEdge)
    problems.push(`the shortest edge must be at least ${sizes.minEdge}`);
  if (Math.max(width, height) > sizes.maxEdge) problems.push(`the longest edge must be at most ${sizes.maxEdge}`);
  if (Math.max(width, height) / Math.min(width, height) > sizes.maxAspectRatio)
    problems.push(`the aspect ratio must be at most ${sizes.maxAspectRatio}:1`);
  const pixels = width * height;
  if (pixels < sizes.minPixels || pixels > sizes.maxPixels)
    problems.push(`the pixel count must be between ${sizes.minPixels} and ${sizes.maxPixels}`);
  return problems;
}

/**
 * About one megapixel at `ratio` on the model's grid, shrunk to fit its longest edge and pixel
 * ceiling and grown to its shortest edge and pixel floor; undefined when no size fits all of them.
 */
function freeSizeForRatio(sizes: FreeSizes, ratio: number): string | undefined {
  const step = sizes.multipleOf;
  let width = Math.sqrt(1024 * 1024 * ratio);
  let height = width / ratio;
  const shrink = Math.min(1, sizes.maxEdge / Math.max(width, height), Math.sqrt(sizes.maxPixels / (width * height)));
  width *= shrink;
  height *= shrink;
  const grow = Math.max(
    1,
    (sizes.minEdge ?? 0) / Math.min(width, height),
    Math.sqrt(sizes.minPixels / (width * height)),
  );
  width = Math.round((width * grow) / step) * step;
  height = Math.round((height * grow) / step) * step;
  return freeSizeProblems(sizes, width, height).length === 0 ? `${width}x${height}` : undefined;
}

const describeOption = (option: SizeOption): string =>
  `${option.size} (${option.aspectRatio}${option.imageSize ? `, ${option.imageSize}` : ''})`;

/**
 * Aspect-ratio models (Imagen, Gemini, Kontext) take a ratio and a resolution class. `aspect_ratio`
 * picks the ratio at the default class; `size` picks the listed size, or the nearest shape and then
 * the nearest pixel count. Anything inexact is said in a warning; too far off is a 400.
 */
function resolveAspectSize(
  model: CatalogModel,
  sizes: AspectSizes,
  requested: RequestedParameters,
  warnings: string[],
): ResolvedSize {
  const chosen = (option: SizeOption): ResolvedSize => ({
    size: option.size,
    aspectRatio: option.aspectRatio,
    imageSize: option.imageSize,
  });
  const atDefaultClass = sizes.options.filter(
    (option) => sizes.defaultImageSize === undefined || option.imageSize === sizes.defaultImageSize,
  );
  const ratios = [...new Set(sizes.options.map((option) => option.aspectRatio))];

  if (requested.aspect_ratio !== undefined) {
    const wanted = parseAspectRatio(requested.aspect_ratio);
    const option = nearestShape(atDefaultClass, wanted);
    if (option === undefined || shapeDistance(parseAspectRatio(option.aspectRatio), wanted) > MAX_SHAPE_DISTANCE) {
      throw invalid(
        'aspect_ratio',
        `${model.id} cannot produce aspect ratio ${requested.aspect_ratio}. Supported: ${ratios.join(', ')}.`,
      );
    }
    if (option.aspectRatio !== requested.aspect_ratio) {
      warnings.push(`${model.id} has no ${requested.aspect_ratio}; used the nearest, ${describeOption(option)}.`);
    }
    return chosen(option);
  }

  const size = requested.size ?? 'auto';
  if (size === 'auto') {
    const fallback = atDefaultClass.find((option) => option.size === sizes.default) ?? atDefaultClass[0];
    return fallback ? chosen(fallback) : { size: sizes.default };
  }
  const exact = sizes.options.find((option) => option.size === size);
  if (exact) return chosen(exact);
  const parsed = parseSize(size);
  if (parsed === undefined) {
    throw invalid('size', `Invalid value for 'size': '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.`);
  }
  const wanted = parsed.width / parsed.height;
  const shape = nearestShape(sizes.options, wanted);
  if (shape === undefined || shapeDistance(parseAspectRatio(shape.aspectRatio), wanted) > MAX_SHAPE_DISTANCE) {
    throw invalid(
      'size',
      `Invalid value for 'size': ${model.id} cannot produce the shape of ${size}. Aspect ratios: ${ratios.join(', ')}.`,
    );
  }
  const pixels = parsed.width * parsed.height;
  const option = sizes.options
    .filter((candidate) => candidate.aspectRatio === shape.aspectRatio)
    .reduce((best, candidate) => {
      const distance = (entry: SizeOption) => {
        const each = parseSize(entry.size);
        return each ? Math.abs(Math.log((each.width * each.height) / pixels)) : Number.POSITIVE_INFINITY;
      };
      return distance(candidate) < distance(best) ? candidate : best;
    }, shape);
  warnings.push(`${model.id} does not make ${size}; used the nearest size, ${describeOption(option)}.`);
  return chosen(option);
}

function nearestShape(options: readonly SizeOption[], ratio: number): SizeOption | undefined {
  let best: SizeOption | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const option of options) {
    const distance = shapeDistance(parseAspectRatio(option.aspectRatio), ratio);
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best;
}

/** The model's size closest to an aspect ratio (log distance), or 400 when none is close enough. */
export function sizeForAspectRatio(model: CatalogModel, aspectRatio: string): string {
  const sizes = model.capabilities.sizes;
  const ratio = parseAspectRatio(aspectRatio);
  if (sizes.mode === 'aspect') {
    const option = nearestShape(sizes.options, ratio);
    if (option === undefined) throw invalid('aspect_ratio', `${model.id} cannot produce aspect ratio ${aspectRatio}.`);
    return option.size;
  }
  if (sizes.mode === 'free') {
    const size = Math.max(ratio, 1 / ratio) > sizes.maxAspectRatio ? undefined : freeSizeForRatio(sizes, ratio);
    if (size === undefined) {
      throw invalid(
        'aspect_ratio',
        `${model.id} cannot make aspect ratio ${aspectRatio} (at most ${sizes.maxAspectRatio}:1, edges ${sizes.minEdge ?? 1} to ${sizes.maxEdge} px).`,
      );
    }
    return size;
  }
  let best = sizes.values[0] ?? sizes.default;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const value of sizes.values) {
    const distance = shapeDistance(ratioOfSize(value), ratio);
    if (distance < bestDistance) {
      best = value;
      bestDistance = distance;
    }
  }
  if (bestDistance > MAX_SHAPE_DISTANCE) {
    throw invalid(
      'aspect_ratio',
      `${model.id} cannot produce aspect ratio ${aspectRatio}. Sizes: ${sizes.values.join(', ')}.`,
    );
  }
  return best;
}

export interface ResolvedParameters {
  parameters: GenerationParameters;
  /** Whatever was honoured inexactly or not used, for the response's `extra.warnings`. */
  warnings: string[];
}

/**
 * Narrows a request to what `model` can do, filling defaults. Anything the model cannot honour is a
 * 400 naming the parameter; anything honoured only approximately is said in a warning: never
 * silently dropped.
 */
export function resolveParameters(model: CatalogModel, requested: RequestedParameters): ResolvedParameters {
  const capabilities = model.capabilities;
  const warnings: string[] = [];
  const n = requested.n ?? 1;
  if (n > capabilities.maxImagesPerRequest) {
    throw invalid(
      'n',
      `Invalid value for 'n': ${model.id} makes at most ${capabilities.maxImagesPerRequest} images per request.`,
    );
  }
  const providerOptions = resolveProviderOptions(model, requested.providerOptions, requested.providerOptionsField);
  warnings.push(...providerOptions.warnings);
  const size = resolveSize(model, requested, warnings);
  const quality = modernQuality(model, requested.quality, warnings) ?? 'auto';
  const style = ignoredStyleWarning(requested.style);
  if (style !== undefined) warnings.push(style);
  if (!capabilities.qualities.includes(quality)) {
    throw invalid('quality', `Invalid value for 'quality': ${model.id} supports ${capabilities.qualities.join(', ')}.`);
  }
  const outputFormat = resolveOutputFormat(model, requested.output_format, providerOptions.outputFormat);
  const background = requested.background ?? 'auto';
  if (background === 'transparent') {
    if (!capabilities.transparentBackground) {
      throw invalid('background', `${model.id} cannot make a transparent background.`);
    }
    if (outputFormat === 'jpeg') {
      throw invalid('background', "A transparent background needs output_format 'png' or 'webp'.");
    }
  }
  if (requested.output_compression !== undefined) {
    if (!capabilities.outputCompression) {
      throw invalid('output_compression', `${model.id} does not take 'output_compression'.`);
    }
    if (outputFormat === 'png') {
      throw invalid('output_compression', "'output_compression' applies to output_format 'jpeg' or 'webp' only.");
    }
  }
  if (requested.moderation !== undefined && !capabilities.moderation) {
    throw invalid('moderation', `${model.id} does not take 'moderation'.`);
  }
  const formatExtras = resolveFormatExtras(model, requested, outputFormat, warnings);
  return {
    parameters: {
      n,
      ...size,
      quality,
      background,
      outputFormat,
      outputCompression: requested.output_compression,
      moderation: requested.moderation,
      ...formatExtras,
      providerOptions: providerOptions.options,
    },
    warnings,
  };
}

type OutputFormat = GenerationParameters['outputFormat'];

function resolveOutputFormat(
  model: CatalogModel,
  requested: OutputFormat | undefined,
  fromProviderOptions: string | undefined,
): OutputFormat {
  const formats = model.capabilities.outputFormats;
  if (fromProviderOptions !== undefined) {
    if (requested !== undefined && requested !== fromProviderOptions) {
      throw invalid('output_format', `'output_format' is ${requested} but providerOptions say ${fromProviderOptions}.`);
    }
    if (!(formats as readonly string[]).includes(fromProviderOptions)) {
      throw invalid('output_format', `Invalid value for 'output_format': ${model.id} supports ${formats.join(', ')}.`);
    }
    return fromProviderOptions as OutputFormat;
  }
  // Absent, it is PNG where the model makes PNG (OpenAI's default), whatever the upstream's own.
  const outputFormat = requested ?? (formats.includes('png') ? 'png' : (formats[0] ?? 'png'));
  if (!formats.includes(outputFormat)) {
    throw invalid('output_format', `Invalid value for 'output_format': ${model.id} supports ${formats.join(', ')}.`);
  }
  return outputFormat;
}
