import type { GenerationParameters } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import type { CatalogModel } from './catalog-schema.ts';

export type { GenerationParameters };

/** The request fields the catalog narrows per model (a subset of the public request). */
export interface RequestedParameters {
  n?: number | undefined;
  size?: string | undefined;
  aspect_ratio?: string | undefined;
  quality?: 'low' | 'medium' | 'high' | 'auto' | undefined;
  background?: 'transparent' | 'opaque' | 'auto' | undefined;
  output_format?: 'png' | 'jpeg' | 'webp' | undefined;
  output_compression?: number | undefined;
  moderation?: 'low' | 'auto' | undefined;
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

function resolveSize(model: CatalogModel, requested: RequestedParameters): string {
  const sizes = model.capabilities.sizes;
  if (requested.size !== undefined && requested.aspect_ratio !== undefined) {
    throw invalid('aspect_ratio', "Give either 'size' or 'aspect_ratio', not both.");
  }
  if (requested.aspect_ratio !== undefined) return sizeForAspectRatio(model, requested.aspect_ratio);
  const size = requested.size ?? 'auto';
  if (size === 'auto') return sizes.auto ? 'auto' : sizes.default;

  const parsed = parseSize(size);
  if (parsed === undefined) {
    throw invalid('size', `Invalid value for 'size': '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.`);
  }
  if (sizes.mode === 'fixed') {
    if (!sizes.values.includes(size)) {
      throw invalid(
        'size',
        `Invalid value for 'size': '${size}' is not supported by ${model.id}. Supported: ${['auto', ...sizes.values].join(', ')}.`,
      );
    }
    return size;
  }
  const { width, height } = parsed;
  const problems: string[] = [];
  if (width % sizes.multipleOf !== 0 || height % sizes.multipleOf !== 0)
    problems.push(`both edges must be multiples of ${sizes.multipleOf}`);
  if (Math.max(width, height) > sizes.maxEdge) problems.push(`the longest edge must be at most ${sizes.maxEdge}`);
  if (Math.max(width, height) / Math.min(width, height) > sizes.maxAspectRatio)
    problems.push(`the aspect ratio must be at most ${sizes.maxAspectRatio}:1`);
  const pixels = width * height;
  if (pixels < sizes.minPixels || pixels > sizes.maxPixels)
    problems.push(`the pixel count must be between ${sizes.minPixels} and ${sizes.maxPixels}`);
  if (problems.length > 0)
    throw invalid('size', `Invalid value for 'size': '${size}' for ${model.id}: ${problems.join('; ')}.`);
  return size;
}

/** The model's size closest to an aspect ratio (log distance), or 400 when none is close enough. */
export function sizeForAspectRatio(model: CatalogModel, aspectRatio: string): string {
  const sizes = model.capabilities.sizes;
  const ratio = parseAspectRatio(aspectRatio);
  if (sizes.mode === 'free') {
    if (Math.max(ratio, 1 / ratio) > sizes.maxAspectRatio) {
      throw invalid(
        'aspect_ratio',
        `${model.id} supports aspect ratios up to ${sizes.maxAspectRatio}:1; got ${aspectRatio}.`,
      );
    }
    // About one megapixel at the requested ratio, on the model's grid.
    const step = sizes.multipleOf;
    const width = Math.round(Math.sqrt(1024 * 1024 * ratio) / step) * step;
    const height = Math.round(width / ratio / step) * step;
    const pixels = width * height;
    const scale = pixels < sizes.minPixels ? Math.sqrt(sizes.minPixels / pixels) : 1;
    return `${Math.ceil((width * scale) / step) * step}x${Math.ceil((height * scale) / step) * step}`;
  }
  let best = sizes.values[0] ?? sizes.default;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const value of sizes.values) {
    const parsed = parseSize(value);
    if (parsed === undefined) continue;
    const distance = Math.abs(Math.log(parsed.width / parsed.height / ratio));
    if (distance < bestDistance) {
      best = value;
      bestDistance = distance;
    }
  }
  // More than 25% off the requested shape is not "nearest", it is a different picture.
  if (bestDistance > Math.log(1.25)) {
    throw invalid(
      'aspect_ratio',
      `${model.id} cannot produce aspect ratio ${aspectRatio}. Sizes: ${sizes.values.join(', ')}.`,
    );
  }
  return best;
}

/**
 * Narrows a request to what `model` can do, filling defaults. Anything the model cannot honour is a
 * 400 naming the parameter: never silently dropped.
 */
export function resolveParameters(model: CatalogModel, requested: RequestedParameters): GenerationParameters {
  const capabilities = model.capabilities;
  const n = requested.n ?? 1;
  if (n > capabilities.maxImagesPerRequest) {
    throw invalid(
      'n',
      `Invalid value for 'n': ${model.id} makes at most ${capabilities.maxImagesPerRequest} images per request.`,
    );
  }
  const size = resolveSize(model, requested);
  const quality = requested.quality ?? 'auto';
  if (!capabilities.qualities.includes(quality)) {
    throw invalid('quality', `Invalid value for 'quality': ${model.id} supports ${capabilities.qualities.join(', ')}.`);
  }
  const outputFormat = requested.output_format ?? capabilities.outputFormats[0] ?? 'png';
  if (!capabilities.outputFormats.includes(outputFormat)) {
    throw invalid(
      'output_format',
      `Invalid value for 'output_format': ${model.id} supports ${capabilities.outputFormats.join(', ')}.`,
    );
  }
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
  return {
    n,
    size,
    quality,
    background,
    outputFormat,
    outputCompression: requested.output_compression,
    moderation: requested.moderation,
  };
}
