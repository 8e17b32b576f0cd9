import { hueBucketOf } from '../images/image-spec.ts';
import { readAspectRatio } from './aspect-ratio.ts';
import { readFlux3 } from './flux3-request.ts';
import type { BflModel } from './models.ts';
import { BFL_MODEL_FACTS } from './models.ts';
import type { ValidationIssue } from './pydantic-errors.ts';
import { IssueList, readBool, readEnum, readInt, readNumber, readString } from './pydantic-errors.ts';

/** A validated submission with defaults applied. */
export interface SubmitRequest {
  model: BflModel;
  prompt: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp';
  seed: number;
  /** Input images supplied (`input_image*` or `image_prompt`), for `input_mp`. */
  inputImages: number;
  /**
   * The image the output is derived from (base64; the first input image, or Fill's `image`), and
   * Fill's black/white `mask`. Fill's output size is only known once `image` is decoded.
   */
  edit?: { image: string; mask?: string };
}

/** Validation result: the request, or FastAPI's 422 `detail` list. */
export type SubmitValidation = { ok: true; request: SubmitRequest } | { ok: false; detail: ValidationIssue[] };

const OUTPUT_FORMATS = ['jpeg', 'png', 'webp'] as const;
/** FLUX.2's total-pixel ceiling ("about 4 MP" in BFL's notes): 2048². */
export const FLUX2_MAX_PIXELS = 2048 * 2048;
const FLUX2_MULTIPLE = 16;
/** FLUX.2 with width/height left at 0 (auto) and no input image renders a square of this edge. */
const FLUX2_AUTO_EDGE = 1024;

/**
 * Validates a submission per model family (docs/providers.md, "Black Forest Labs"; BFL's OpenAPI). Unknown fields are
 * ignored, as pydantic models do by default; every problem is reported at once.
 */
export function validateSubmit(model: BflModel, body: unknown): SubmitValidation {
  const issues = new IssueList();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    issues.add(
      undefined,
      'model_attributes_type',
      'Input should be a valid dictionary or object to extract fields from',
      body,
    );
    return { ok: false, detail: issues.issues };
  }
  const fields = body as Record<string, unknown>;
  const facts = BFL_MODEL_FACTS[model];
  if (facts.family === 'flux3') return validateFlux3(model, fields, issues);
  if (facts.family === 'fill') return validateFill(model, fields, issues);
  const promptRequired = facts.family === 'flux2' || facts.family === 'kontext';
  if (promptRequired && (fields.prompt === undefined || fields.prompt === null)) {
    issues.add('prompt', 'missing', 'Field required', body);
  }
  const prompt = readString(fields, 'prompt', issues) ?? '';
  const seed = readInt(fields, 'seed', issues);
  readInt(fields, 'safety_tolerance', issues, { ge: 0, le: facts.maxSafetyTolerance });
  const format = readEnum(fields, 'output_format', OUTPUT_FORMATS, issues) ?? facts.defaultFormat;
  readBool(fields, 'prompt_upsampling', issues);
  readWebhook(fields, issues);
  let inputImages = 0;
  let firstInput: string | undefined;
  for (let index = 1; index <= facts.inputImages; index++) {
    const input = readString(fields, index === 1 ? 'input_image' : `input_image_${index}`, issues);
    if (input === undefined) continue;
    inputImages++;
    firstInput ??= input;
  }
  if (
    (facts.family === 'flux11' || facts.family === 'ultra') &&
    readString(fields, 'image_prompt', issues) !== undefined
  ) {
    inputImages++;
  }
  const size = readSize(model, fields, issues);

  if (issues.issues.length > 0 || size === undefined) return { ok: false, detail: issues.issues };
  return {
    ok: true,
    request: {
      model,
      prompt,
      ...size,
      format,
      seed: seed ?? defaultSeed(prompt),
      inputImages,
      ...derivedFrom(firstInput),
    },
  };
}

/** FLUX.1 Fill [pro]: `image` required, `mask` optional (without it, the image's transparent pixels are inpainted). */
function validateFill(model: BflModel, fields: Record<string, unknown>, issues: IssueList): SubmitValidation {
  if (fields.image === undefined || fields.image === null) issues.add('image', 'missing', 'Field required', fields);
  const image = readString(fields, 'image', issues);
  const mask = readString(fields, 'mask', issues);
  const prompt = readString(fields, 'prompt', issues) ?? '';
  const seed = readInt(fields, 'seed', issues);
  // BFL's OpenAPI says steps 15–50 and guidance 1.5–100, replicate's copy 1–50 and 2–5: refuse only what both refuse.
  readInt(fields, 'steps', issues, { ge: 1, le: 50 });
  readNumber(fields, 'guidance', issues, { ge: 1.5, le: 100 });
  readInt(fields, 'safety_tolerance', issues, { ge: 0, le: BFL_MODEL_FACTS[model].maxSafetyTolerance });
  const format = readEnum(fields, 'output_format', OUTPUT_FORMATS, issues) ?? BFL_MODEL_FACTS[model].defaultFormat;
  readBool(fields, 'prompt_upsampling', issues);
  readWebhook(fields, issues);
  if (issues.issues.length > 0 || image === undefined) return { ok: false, detail: issues.issues };
  return {
    ok: true,
    request: {
      model,
      prompt,
      width: 0,
      height: 0,
      format,
      seed: seed ?? defaultSeed(prompt),
      inputImages: mask === undefined ? 1 : 2,
      edit: mask === undefined ? { image } : { image, mask },
    },
  };
}

/** Inline (base64) inputs become the output's source; URLs are not fetched, so they derive nothing. */
function derivedFrom(input: string | undefined): Pick<SubmitRequest, 'edit'> {
  if (input === undefined || /^https?:\/\//i.test(input)) return {};
  return { edit: { image: input } };
}

/** Output size per family: explicit width/height (FLUX.2, FLUX1.1) or an aspect ratio (Kontext, Ultra). */
function readSize(
  model: BflModel,
  fields: Record<string, unknown>,
  issues: IssueList,
): { width: number; height: number } | undefined {
  switch (BFL_MODEL_FACTS[model].family) {
    case 'flux2': {
      if (model === 'flux-2-flex') {
        readNumber(fields, 'guidance', issues, { ge: 1.5, le: 10 });
        readInt(fields, 'steps', issues, { ge: 1, le: 50 });
      }
      const before = issues.issues.length;
      const width = readInt(fields, 'width', issues, { ge: 64, multipleOf: FLUX2_MULTIPLE });
      const height = readInt(fields, 'height', issues, { ge: 64, multipleOf: FLUX2_MULTIPLE });
      if (issues.issues.length > before) return undefined;
      const size = { width: width ?? FLUX2_AUTO_EDGE, height: height ?? FLUX2_AUTO_EDGE };
      if (size.width * size.height > FLUX2_MAX_PIXELS) {
        const msg = `Value error, width * height must be at most ${FLUX2_MAX_PIXELS} pixels (about 4 MP), got ${size.width * size.height}.`;
        issues.add(undefined, 'value_error', msg, fields, { error: {} });
        return undefined;
      }
      return size;
    }
    case 'flux11': {
      const before = issues.issues.length;
      const width = readInt(fields, 'width', issues, { ge: 256, le: 1440, multipleOf: 32 });
      const height = readInt(fields, 'height', issues, { ge: 256, le: 1440, multipleOf: 32 });
      if (issues.issues.length > before) return undefined;
      return { width: width ?? 1024, height: height ?? 768 };
    }
    case 'kontext':
      return readAspectRatio(readString(fields, 'aspect_ratio', issues), '1:1', 1, issues);
    case 'ultra': {
      readBool(fields, 'raw', issues);
      readNumber(fields, 'image_prompt_strength', issues, { ge: 0, le: 1 });
      return readAspectRatio(readString(fields, 'aspect_ratio', issues), '16:9', 4, issues);
    }
  }
}

/** FLUX 3 Image: a prompt, and only the fields its strict schema knows. */
function validateFlux3(model: BflModel, fields: Record<string, unknown>, issues: IssueList): SubmitValidation {
  if (fields.prompt === undefined || fields.prompt === null) issues.add('prompt', 'missing', 'Field required', fields);
  const prompt = readString(fields, 'prompt', issues) ?? '';
  readWebhook(fields, issues);
  const size = readFlux3(fields, issues);
  if (issues.issues.length > 0 || size === undefined) return { ok: false, detail: issues.issues };
  const images: unknown[] = Array.isArray(fields.images) ? fields.images : [];
  const first = images[0];
  return {
    ok: true,
    request: {
      model,
      prompt,
      ...size,
      format: 'jpeg',
      seed: defaultSeed(prompt),
      inputImages: images.length,
      ...derivedFrom(typeof first === 'string' ? first : undefined),
    },
  };
}

/** `webhook_url` is a pydantic URL (http/https, ≤ 2083 chars); the emulator validates but never calls it. */
function readWebhook(fields: Record<string, unknown>, issues: IssueList): void {
  readString(fields, 'webhook_secret', issues);
  const url = readString(fields, 'webhook_url', issues);
  if (url === undefined) return;
  if (url.length > 2083) {
    issues.add('webhook_url', 'url_too_long', 'URL should have at most 2083 characters', url, { max_length: 2083 });
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    issues.add('webhook_url', 'url_parsing', 'Input should be a valid URL, relative URL without a base', url, {
      error: 'relative URL without a base',
    });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    issues.add('webhook_url', 'url_scheme', "URL scheme should be 'http' or 'https'", url, {
      expected_schemes: "'http' or 'https'",
    });
  }
}

/** BFL picks a random seed when none is given; a prompt-derived one keeps emulator runs repeatable. */
function defaultSeed(prompt: string): number {
  return hueBucketOf(prompt) * 1_000_003 + prompt.length;
}
