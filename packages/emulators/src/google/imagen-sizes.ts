/** Aspect ratios Imagen 4 accepts. */
export const IMAGEN_ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;

/** One of {@link IMAGEN_ASPECT_RATIOS}. */
export type ImagenAspectRatio = (typeof IMAGEN_ASPECT_RATIOS)[number];

/** `sampleImageSize` values. */
export type ImagenImageSize = '1K' | '2K';

/** Output pixels per aspect ratio and size, from the Vertex model page (docs/providers.md, "Imagen"). */
const SIZES: Readonly<Record<ImagenAspectRatio, Readonly<Record<ImagenImageSize, readonly [number, number]>>>> = {
  '1:1': { '1K': [1024, 1024], '2K': [2048, 2048] },
  '3:4': { '1K': [896, 1280], '2K': [1792, 2560] },
  '4:3': { '1K': [1280, 896], '2K': [2560, 1792] },
  '9:16': { '1K': [768, 1408], '2K': [1536, 2816] },
  '16:9': { '1K': [1408, 768], '2K': [2816, 1536] },
};

/** Narrows a request value to a supported aspect ratio. */
export function isImagenAspectRatio(value: string): value is ImagenAspectRatio {
  return (IMAGEN_ASPECT_RATIOS as readonly string[]).includes(value);
}

/** The output size in pixels for an aspect ratio and size. */
export function imagenPixels(aspectRatio: ImagenAspectRatio, size: ImagenImageSize): { width: number; height: number } {
  const [width, height] = SIZES[aspectRatio][size];
  return { width, height };
}
