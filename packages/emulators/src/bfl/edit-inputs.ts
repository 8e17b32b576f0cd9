import sharp from 'sharp';
import type { ValidationIssue } from './pydantic-errors.ts';
import { IssueList } from './pydantic-errors.ts';
import type { SubmitRequest } from './validate-submit.ts';

/** An inline input image's bytes: plain base64 or a `data:` URL, as BFL accepts both. */
export function inlineImageBytes(value: string): Buffer {
  const comma = value.startsWith('data:') ? value.indexOf(',') : -1;
  return Buffer.from(comma === -1 ? value : value.slice(comma + 1), 'base64');
}

/**
 * FLUX Fill's inputs, checked once they are decoded: `image` must be an image, `mask` an image of
 * the same size. The output takes the image's size. Other models' requests pass unchanged (their
 * inputs only colour the output, and an undecodable one falls back to a rendered image).
 */
export async function resolveEditInputs(
  request: SubmitRequest,
): Promise<{ ok: true; request: SubmitRequest } | { ok: false; detail: ValidationIssue[] }> {
  if (request.model !== 'flux-pro-1.0-fill' || request.edit === undefined) return { ok: true, request };
  const issues = new IssueList();
  const image = await dimensions(request.edit.image);
  if (image === undefined) {
    issues.add('image', 'value_error', 'Value error, image could not be decoded', '<base64>', { error: {} });
    return { ok: false, detail: issues.issues };
  }
  if (request.edit.mask !== undefined) {
    const mask = await dimensions(request.edit.mask);
    if (mask === undefined) {
      issues.add('mask', 'value_error', 'Value error, mask could not be decoded', '<base64>', { error: {} });
    } else if (mask.width !== image.width || mask.height !== image.height) {
      const msg = `Value error, mask size ${mask.width}x${mask.height} does not match image size ${image.width}x${image.height}`;
      issues.add('mask', 'value_error', msg, '<base64>', { error: {} });
    }
    if (issues.issues.length > 0) return { ok: false, detail: issues.issues };
  }
  return { ok: true, request: { ...request, ...image } };
}

async function dimensions(value: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const meta = await sharp(inlineImageBytes(value)).metadata();
    return { width: meta.width, height: meta.height };
  } catch {
    return undefined;
  }
}
