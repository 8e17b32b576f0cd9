import type { OpenAIErrorReply } from './errors.ts';
import { invalidRequest, listValues } from './errors.ts';
import type { OpenAIImageModel } from './models.ts';
import type { GenerationRequest } from './validate-generation-request.ts';
import { validateGenerationRequest } from './validate-generation-request.ts';

/** An edit's text parts after validation: everything a generation has, plus how faithfully to keep the input. */
export interface EditRequest extends GenerationRequest {
  /** `input_fidelity`: `high` keeps faces and logos; default `low`. */
  inputFidelity: 'high' | 'low';
}

/** Validation result: the request, or the exact error OpenAI would answer with. */
export type EditValidation = { ok: true; request: EditRequest } | { ok: false; error: OpenAIErrorReply };

/** Upstream's default for edits (the generations endpoint's default stays the emulator's own). */
export const DEFAULT_EDIT_MODEL: OpenAIImageModel = 'gpt-image-1.5';

/** Text parts of `CreateImageEditRequest` the SDKs send (openai SDK `ImageEditParamsBase`). */
const EDIT_TEXT_FIELDS = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'background',
  'output_format',
  'output_compression',
  'input_fidelity',
  'response_format',
  'stream',
  'partial_images',
  'user',
  'complexity',
  'frame_count',
  'frame_duration_ms',
  'safety_identifier',
]);
/** Multipart carries every value as text; these parts are integers on the wire schema. */
const INTEGER_FIELDS = new Set(['n', 'output_compression', 'partial_images', 'frame_count', 'frame_duration_ms']);
const FIDELITIES = ['high', 'low'] as const;

/**
 * Validates the text parts of a multipart `POST /v1/images/edits`: the same rules as a generation
 * (so the SDK's typed values arrive as text and are read back as numbers and booleans), plus
 * `input_fidelity`, which gpt-image-1-mini refuses. A repeated text part counts as its last value.
 */
export function validateEditRequest(fields: ReadonlyMap<string, readonly string[]>): EditValidation {
  const body: Record<string, unknown> = {};
  for (const [name, values] of fields) {
    if (!EDIT_TEXT_FIELDS.has(name)) {
      return { ok: false, error: invalidRequest(`Unknown parameter: '${name}'.`, name, 'unknown_parameter') };
    }
    body[name] = textValue(name, values.at(-1) ?? '');
  }
  const fidelity = body.input_fidelity;
  delete body.input_fidelity;
  body.model ??= DEFAULT_EDIT_MODEL;

  const validation = validateGenerationRequest(body);
  if (!validation.ok) return validation;
  const request = validation.request;
  if (fidelity === undefined) return { ok: true, request: { ...request, inputFidelity: 'low' } };
  if (typeof fidelity !== 'string' || !FIDELITIES.some((each) => each === fidelity)) {
    const message = `Invalid value: '${String(fidelity)}'. Supported values are: ${listValues(FIDELITIES)}.`;
    return { ok: false, error: invalidRequest(message, 'input_fidelity') };
  }
  if (request.model === 'gpt-image-1-mini') {
    const message = `'input_fidelity' is not supported for model '${request.model}'.`;
    return { ok: false, error: invalidRequest(message, 'input_fidelity') };
  }
  return { ok: true, request: { ...request, inputFidelity: fidelity === 'high' ? 'high' : 'low' } };
}

/** Reads a text part back into the type the JSON schema gives it; unreadable text stays a string. */
function textValue(name: string, text: string): unknown {
  if (INTEGER_FIELDS.has(name) && /^-?\d+$/.test(text.trim())) return Number(text);
  if (name === 'stream' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
