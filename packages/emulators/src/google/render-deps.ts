import type { ImageSource } from '../images/image-source.ts';

/** What response builders need to produce real images. */
export interface RenderDeps {
  images: ImageSource;
  /** Minimum encoded size of final images in bytes; 0 disables padding. */
  imageBytes: number;
}
