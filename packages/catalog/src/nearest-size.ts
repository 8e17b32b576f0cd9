import type { CatalogModel } from './catalog-schema.ts';
import { MAX_SHAPE_DISTANCE, shapeDistance } from './image-shape.ts';

type Sizes = CatalogModel['capabilities']['sizes'];
type FreeSizes = Extract<Sizes, { mode: 'free' }>;

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/**
 * The size a free-size model makes that is nearest `width`×`height`: the same shape (within the
 * model's aspect-ratio limit) and pixel count (within its limits), on its grid, among the sizes
 * `fits` accepts. Undefined when the
 * nearest shape is more than 25 % off (`4096x1024` on a model that makes at most 3:1).
 */
export function nearestFreeSize(
  sizes: FreeSizes,
  width: number,
  height: number,
  fits: (width: number, height: number) => boolean,
): string | undefined {
  const wanted = width / height;
  const step = sizes.multipleOf;
  // Off the grid only: each edge to its nearest multiple, as a client asking 1920x1080 expects.
  const [snappedWidth, snappedHeight] = [Math.round(width / step) * step, Math.round(height / step) * step];
  if (snappedWidth > 0 && snappedHeight > 0 && fits(snappedWidth, snappedHeight)) {
    return `${snappedWidth}x${snappedHeight}`;
  }
  const ratio = clamp(wanted, 1 / sizes.maxAspectRatio, sizes.maxAspectRatio);
  if (shapeDistance(ratio, wanted) > MAX_SHAPE_DISTANCE) return undefined;
  const pixels = clamp(width * height, sizes.minPixels, sizes.maxPixels);
  let exactWidth = Math.sqrt(pixels * ratio);
  let exactHeight = exactWidth / ratio;
  const shrink = Math.min(1, sizes.maxEdge / Math.max(exactWidth, exactHeight));
  const grow = Math.max(1, (sizes.minEdge ?? 0) / Math.min(exactWidth, exactHeight));
  exactWidth *= shrink * grow;
  exactHeight *= shrink * grow;
  const around = (value: number): number[] => {
    const below = Math.floor(value / step) * step;
    return [below - step, below, below + step, below + 2 * step].filter((each) => each > 0);
  };
  let best: { size: string; cost: number } | undefined;
  for (const candidateWidth of around(exactWidth)) {
    for (const candidateHeight of around(exactHeight)) {
      if (!fits(candidateWidth, candidateHeight)) continue;
      // The shape first, then the pixel count: a picture cropped differently is worse than a smaller one.
      const cost =
        shapeDistance(candidateWidth / candidateHeight, wanted) * 4 +
        Math.abs(Math.log((candidateWidth * candidateHeight) / pixels));
      if (best === undefined || cost < best.cost) best = { size: `${candidateWidth}x${candidateHeight}`, cost };
    }
  }
  return best?.size;
}

/** The listed size nearest `width`×`height` in shape (then pixels); undefined when more than 25 % off. */
export function nearestFixedSize(values: readonly string[], width: number, height: number): string | undefined {
  const wanted = width / height;
  let best: { size: string; shape: number; pixels: number } | undefined;
  for (const value of values) {
    const match = /^(\d+)x(\d+)$/.exec(value);
    if (match === null) continue;
    const [eachWidth, eachHeight] = [Number(match[1]), Number(match[2])];
    const shape = shapeDistance(eachWidth / eachHeight, wanted);
    const pixels = Math.abs(Math.log((eachWidth * eachHeight) / (width * height)));
    if (best === undefined || shape < best.shape || (shape === best.shape && pixels < best.pixels)) {
      best = { size: value, shape, pixels };
    }
  }
  return best !== undefined && best.shape <= MAX_SHAPE_DISTANCE ? best.size : undefined;
}
