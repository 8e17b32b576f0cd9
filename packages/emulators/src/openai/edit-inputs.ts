import sharp from 'sharp';
import type { MultipartFile } from '../http/read-multipart.ts';
import type { OpenAIErrorReply } from './errors.ts';
import { invalidRequest } from './errors.ts';

/** Images per edit request for GPT image models. */
export const MAX_EDIT_IMAGES = 16;
/** Bytes per input image ("< 50 MB"). */
export const MAX_EDIT_IMAGE_BYTES = 50 * 1024 * 1024;
/** Bytes per mask ("PNG < 4 MB"). */
export const MAX_MASK_BYTES = 4 * 1024 * 1024;

/** A decoded input image: its bytes and what they say about themselves. */
export interface EditImage {
  bytes: Buffer;
  format: 'png' | 'jpeg' | 'webp';
  width: number;
  height: number;
}

/** The file parts of an edit: images in the order sent, and the mask or the markup overlay if any. */
export interface EditInputs {
  images: EditImage[];
  mask: EditImage | undefined;
  /** A transparent PNG drawn over the first image (openai SDK 7.46); exclusive with `mask`. */
  markup: EditImage | undefined;
}

const IMAGE_FIELDS = new Set(['image', 'image[]']);
const FORMATS = ['png', 'jpeg', 'webp'] as const;

/**
 * Checks the file parts as OpenAI does for GPT image models: `image` or repeated `image[]` (1–16),
 * each a PNG, JPEG or WebP by its bytes; an optional `mask` that is a PNG with an alpha channel and
 * the size of the first image. Answers the 400 OpenAI would send, naming the part in `param`.
 */
export async function checkEditInputs(files: readonly MultipartFile[]): Promise<EditInputs | OpenAIErrorReply> {
  const images: EditImage[] = [];
  let mask: EditImage | undefined;
  let markup: EditImage | undefined;
  for (const file of files) {
    if (IMAGE_FIELDS.has(file.field)) {
      if (images.length === MAX_EDIT_IMAGES) {
        const message = `Invalid 'image': array too long. Expected an array with maximum length ${MAX_EDIT_IMAGES}, but got an array with length ${MAX_EDIT_IMAGES + 1} or more instead.`;
        return invalidRequest(message, 'image', 'array_above_max_length');
      }
      const image = await decodeHeader(file.bytes);
      if (image === undefined) {
        const message = `Invalid image file or mode for image ${images.length + 1}, please check your image file. Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`;
        return invalidRequest(message, 'image', 'invalid_image_file');
      }
      images.push(image);
    } else if (file.field === 'mask' || file.field === 'markup') {
      const field = file.field;
      if ((field === 'mask' ? mask : markup) !== undefined)
        return invalidRequest(`Only one '${field}' may be given.`, field);
      const decoded = await decodeHeader(file.bytes);
      if (decoded === undefined || decoded.format !== 'png') {
        return invalidRequest(`Invalid '${field}': the ${field} must be a PNG image.`, field, 'invalid_image_format');
      }
      if (field === 'mask') mask = decoded;
      else markup = decoded;
    } else {
      return invalidRequest(`Unknown parameter: '${file.field}'.`, file.field, 'unknown_parameter');
    }
  }
  const first = images[0];
  if (first === undefined) {
    return invalidRequest("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  }
  if (mask !== undefined && markup !== undefined) {
    return invalidRequest("'markup' cannot be combined with 'mask'.", 'markup');
  }
  const overlays: [field: 'mask' | 'markup', overlay: EditImage | undefined][] = [
    ['mask', mask],
    ['markup', markup],
  ];
  for (const [field, overlay] of overlays) {
    const overlayError = overlay === undefined ? undefined : await checkOverlay(field, overlay, first);
    if (overlayError !== undefined) return overlayError;
  }
  return { images, mask, markup };
}

/** A mask or markup: a PNG under 4 MB with an alpha channel, the size of the first image. */
async function checkOverlay(
  field: 'mask' | 'markup',
  overlay: EditImage,
  first: EditImage,
): Promise<OpenAIErrorReply | undefined> {
  if (overlay.bytes.length > MAX_MASK_BYTES) {
    return invalidRequest(`Invalid '${field}': the ${field} must be smaller than 4 MB.`, field, 'image_too_large');
  }
  const meta = await sharp(overlay.bytes).metadata();
  if (!meta.hasAlpha) {
    const message = `Invalid '${field}': the ${field} must have an alpha channel.`;
    return invalidRequest(message, field, 'invalid_image_format');
  }
  if (overlay.width !== first.width || overlay.height !== first.height) {
    const message = `Invalid '${field}': the ${field} (${overlay.width}x${overlay.height}) must have the same dimensions as the image (${first.width}x${first.height}).`;
    return invalidRequest(message, field, 'invalid_image_dimensions');
  }
  return undefined;
}

/** The image's format and size from its header, or undefined when sharp cannot read it. */
async function decodeHeader(bytes: Buffer): Promise<EditImage | undefined> {
  try {
    const meta = await sharp(bytes).metadata();
    const format = FORMATS.find((each) => each === meta.format);
    if (format === undefined) return undefined;
    return { bytes, format, width: meta.width, height: meta.height };
  } catch {
    return undefined;
  }
}
