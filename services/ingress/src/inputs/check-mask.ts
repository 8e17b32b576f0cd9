import { InvalidRequestError } from '@imagegate/core';
import type { StoredInputImage } from './store-input-image.ts';

/**
 * An edit's mask must be a PNG with an alpha channel (transparent = where to edit) and exactly
 * the size of the first image; otherwise a 400 on `mask`.
 */
export function checkMask(mask: StoredInputImage, firstImage: StoredInputImage): void {
  if (mask.format !== 'png') {
    throw new InvalidRequestError(`mask must be a PNG, not ${mask.format.toUpperCase()}.`, { param: 'mask' });
  }
  if (!mask.hasAlpha) {
    throw new InvalidRequestError('mask must have an alpha channel (transparent where the image is edited).', {
      param: 'mask',
    });
  }
  if (mask.width !== firstImage.width || mask.height !== firstImage.height) {
    throw new InvalidRequestError(
      `mask is ${mask.width}x${mask.height}; it must be the first image's size, ${firstImage.width}x${firstImage.height}.`,
      { param: 'mask' },
    );
  }
}
