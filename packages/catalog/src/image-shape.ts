import type { CatalogModel } from './catalog-schema.ts';

/** A model's size capabilities, by the form its upstream takes sizes in. */
export type AspectSizes = Extract<CatalogModel['capabilities']['sizes'], { mode: 'aspect' }>;
export type FreeSizes = Extract<CatalogModel['capabilities']['sizes'], { mode: 'free' }>;
export type SizeOption = AspectSizes['options'][number];

/** `WIDTHxHEIGHT` (1 to 99999 px an edge) as numbers; undefined for anything else. */
export function parseSize(size: string): { width: number; height: number } | undefined {
  const match = /^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$/.exec(size);
  if (match === null) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** `W:H` as the number W/H. */
export function parseAspectRatio(aspectRatio: string): number {
  const [width, height] = aspectRatio.split(':').map(Number);
  return (width ?? 1) / (height ?? 1);
}

/** The W/H of a `WxH` size (1 when it is not one, e.g. `auto`). */
export const ratioOfSize = (size: string): number => {
  const parsed = parseSize(size);
  return parsed ? parsed.width / parsed.height : 1;
};

/** How far apart two shapes are: |log(w/h ÷ w'/h')|. */
export const shapeDistance = (a: number, b: number): number => Math.abs(Math.log(a / b));
/** More than 25% off the requested shape is not "nearest", it is a different picture. */
export const MAX_SHAPE_DISTANCE = Math.log(1.25);
/** Rounding a free size to the model's grid moves the shape a little; beyond 2% it is worth saying. */
export const NOTICEABLE_SHAPE_DISTANCE = Math.log(1.02);

/** The option whose aspect ratio is nearest `ratio`; undefined when there are none. */
export function nearestShape(options: readonly SizeOption[], ratio: number): SizeOption | undefined {
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
