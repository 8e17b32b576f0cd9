import type { CatalogModel } from './catalog-schema.ts';
import { freeSizeProblems } from './free-sizes.ts';
import {
  type AspectSizes,
  MAX_SHAPE_DISTANCE,
  NOTICEABLE_SHAPE_DISTANCE,
  nearestShape,
  parseAspectRatio,
  parseSize,
  ratioOfSize,
  type SizeOption,
  shapeDistance,
} from './image-shape.ts';
import { invalidParameter } from './invalid-parameter.ts';
import { nearestFixedSize, nearestFreeSize } from './nearest-size.ts';
import type { RequestedParameters } from './requested-parameters.ts';
import { sizeForAspectRatio } from './size-for-aspect-ratio.ts';

/** What a size resolves to: `WxH` and, for aspect-ratio models, the upstream's form of it. */
export interface ResolvedSize {
  size: string;
  aspectRatio?: string | undefined;
  imageSize?: string | undefined;
}

/**
 * The size a request gets from `model`: `size` or `aspect_ratio` (not both) in whichever of the
 * three forms the model takes sizes (a fixed list, free sizes on a grid, aspect ratios with a
 * resolution class). Anything inexact is said in `warnings`; what the model cannot make is a 400.
 */
export function resolveSize(model: CatalogModel, requested: RequestedParameters, warnings: string[]): ResolvedSize {
  const sizes = model.capabilities.sizes;
  if (requested.size !== undefined && requested.aspect_ratio !== undefined) {
    throw invalidParameter('aspect_ratio', "Give either 'size' or 'aspect_ratio', not both.");
  }
  if (sizes.mode === 'aspect') return resolveAspectSize(model, sizes, requested, warnings);
  if (requested.aspect_ratio !== undefined) {
    const size = sizeForAspectRatio(model, requested.aspect_ratio);
    if (shapeDistance(ratioOfSize(size), parseAspectRatio(requested.aspect_ratio)) > NOTICEABLE_SHAPE_DISTANCE) {
      warnings.push(`${model.id} has no ${requested.aspect_ratio} size; used the nearest, ${size}.`);
    }
    return { size };
  }
  if (requested.size === undefined && requested.followImage !== undefined && !sizes.auto) {
    const { width, height } = requested.followImage;
    const fits =
      sizes.mode === 'free' ? (w: number, h: number) => freeSizeProblems(sizes, w, h).length === 0 : undefined;
    const near =
      sizes.mode === 'fixed'
        ? nearestFixedSize(sizes.values, width, height)
        : fits && nearestFreeSize(sizes, width, height, fits);
    return { size: near ?? sizes.default };
  }
  const size = requested.size ?? 'auto';
  if (size === 'auto') return { size: sizes.auto ? 'auto' : sizes.default };

  const parsed = parseSize(size);
  if (parsed === undefined) {
    throw invalidParameter(
      'size',
      `Invalid value for 'size': '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.`,
    );
  }
  if (sizes.mode === 'fixed') {
    if (sizes.values.includes(size)) return { size };
    const nearest = nearestFixedSize(sizes.values, parsed.width, parsed.height);
    if (nearest === undefined) {
      throw invalidParameter(
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
  if (nearest === undefined) {
    throw invalidParameter('size', `Invalid value for 'size': '${size}' for ${model.id}: ${problems.join('; ')}.`);
  }
  warnings.push(`${model.id} does not make ${size} (${problems.join('; ')}); used the nearest size, ${nearest}.`);
  return { size: nearest };
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
      throw invalidParameter(
        'aspect_ratio',
        `${model.id} cannot produce aspect ratio ${requested.aspect_ratio}. Supported: ${ratios.join(', ')}.`,
      );
    }
    if (option.aspectRatio !== requested.aspect_ratio) {
      warnings.push(`${model.id} has no ${requested.aspect_ratio}; used the nearest, ${describeOption(option)}.`);
    }
    return chosen(option);
  }

  if (requested.size === undefined && requested.followImage !== undefined) {
    const option = nearestShape(atDefaultClass, requested.followImage.width / requested.followImage.height);
    if (option !== undefined) return chosen(option);
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
    throw invalidParameter(
      'size',
      `Invalid value for 'size': '${size}'. Use 'auto' or WIDTHxHEIGHT, e.g. '1024x1024'.`,
    );
  }
  const wanted = parsed.width / parsed.height;
  const shape = nearestShape(sizes.options, wanted);
  if (shape === undefined || shapeDistance(parseAspectRatio(shape.aspectRatio), wanted) > MAX_SHAPE_DISTANCE) {
    throw invalidParameter(
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
