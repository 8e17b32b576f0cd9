import { InvalidRequestError } from '@imagegate/core';
import { z } from 'zod';
import { imageRequestFields } from './generation-request.ts';
import { checkExtensionsGivenOnce, optional, splitExtensions } from './request-extensions.ts';

/**
 * `POST /v1/images/edits` fields besides the images: a generation's fields and OpenAI's
 * `input_fidelity`. In a JSON body `images` and `mask` sit beside them; they are read (and their
 * bytes stored) by the ingress's intake, so this schema only lets them through. Unknown fields are
 * refused as on generations.
 */
const editBodySchema = z
  .object({
    ...imageRequestFields,
    input_fidelity: optional(z.enum(['high', 'low'])),
    images: z.unknown().optional(),
    mask: z.unknown().optional(),
  })
  .strict()
  .superRefine(checkExtensionsGivenOnce);

/** The edit request's fields, checked and normalised like a generation's (images aside). */
export const editRequestSchema = editBodySchema.transform(({ images: _images, mask: _mask, ...body }) => {
  const { fields, extensions } = splitExtensions(body);
  return { ...fields, ...extensions };
});

export type EditRequest = z.output<typeof editRequestSchema>;

/** Multipart text fields that carry numbers or booleans (OpenAI's SDKs send every value as text). */
const NUMERIC_FIELDS = new Set(['n', 'output_compression', 'frame_count', 'frame_duration_ms', 'partial_images']);
const BOOLEAN_FIELDS = new Set(['stream']);

/**
 * A multipart form's text fields as the JSON body they stand for: numeric and boolean fields
 * decoded from their text (a value that is not a number stays text, so the schema names it);
 * object-valued extensions JSON-encoded (decoded by the reader) or in the OpenAI SDKs' bracket form
 * (`metadata[order]=42`, `providerOptions[bfl][seed]=7`, `fallbacks[]=…`), which is folded back
 * into objects and lists here. Every other field as sent.
 */
export function multipartFieldsAsBody(fields: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const path = bracketPath(name);
    if (path.some((key) => PROTOTYPE_KEYS.has(key))) {
      throw new InvalidRequestError(`'${name}' is not a field name.`, { param: name, code: 'unknown_parameter' });
    }
    let target = body;
    for (const key of path.slice(0, -1)) {
      const next = Object.hasOwn(target, key) ? target[key] : undefined;
      const level: Record<string, unknown> = isPlainRecord(next) ? next : {};
      target[key] = level;
      target = level;
    }
    const last = path.at(-1) ?? name;
    target[last] = path.length === 1 ? scalarOf(name, value) : value;
  }
  return body;
}

/** Names that would reach `Object.prototype` instead of a field (`__proto__[x]=…` must not pollute it). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a[b][c]` → `['a', 'b', 'c']`, `a[]` → `['a']` (its values are already a list); else `[name]`. */
function bracketPath(name: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(name);
  if (match === null) return [name];
  const keys = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((each) => each[1] ?? '');
  return [match[1] ?? name, ...keys.filter((key) => key !== '')];
}

function scalarOf(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMERIC_FIELDS.has(name) && /^-?\d+$/.test(value.trim())) return Number(value);
  if (BOOLEAN_FIELDS.has(name) && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
