/** Encoded formats the emulators can produce. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/**
 * Everything that determines the encoded bytes of an emulated image. Two equal specs always give
 * byte-identical output, which is what makes caching safe.
 */
export interface ImageSpec {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  format: ImageFormat;
  /** RGBA with a transparent background (png/webp only); otherwise opaque RGB. */
  transparent: boolean;
  /** Colour bucket in [0, HUE_BUCKETS); see `hueBucketOf`. */
  hueBucket: number;
  /** Encoder quality 1–100 for jpeg/webp; ignored for png. */
  quality: number;
  /** Minimum encoded size in bytes; 0 means no padding. */
  minBytes: number;
}

/** Number of distinct colour buckets; few enough that benchmark caches stay hot. */
export const HUE_BUCKETS = 24;

/** Stable cache key for a spec. */
export function imageSpecKey(spec: ImageSpec): string {
  return `${spec.width}x${spec.height}|${spec.format}|${spec.transparent ? 't' : 'o'}|${spec.hueBucket}|${spec.quality}|${spec.minBytes}`;
}

/**
 * Maps a prompt to a colour bucket with 32-bit FNV-1a, so the same prompt always renders the same
 * picture and different prompts usually look different.
 */
export function hueBucketOf(prompt: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < prompt.length; i++) {
    hash ^= prompt.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % HUE_BUCKETS;
}
