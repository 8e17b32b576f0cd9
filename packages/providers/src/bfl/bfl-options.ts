import { z } from 'zod';

/**
 * BFL's provider options (`providerOptions.blackForestLabs.*` on the public API): every option any
 * FLUX model may take. The catalog validates a request's options through this schema (bounds per
 * model come from the catalog entry), so the adapter only renames them to wire fields.
 */
export const bflOptionsSchema = z.object({
  safetyTolerance: z.int(),
  seed: z.int().min(0).max(4_294_967_295),
  promptUpsampling: z.boolean(),
  guidance: z.number(),
  steps: z.int(),
  raw: z.boolean(),
});

/** Our camelCase option names and the wire fields they become. */
const OPTION_FIELDS: Readonly<Record<keyof z.output<typeof bflOptionsSchema>, string>> = {
  safetyTolerance: 'safety_tolerance',
  seed: 'seed',
  promptUpsampling: 'prompt_upsampling',
  guidance: 'guidance',
  steps: 'steps',
  raw: 'raw',
};

/** Where our provider options live in the public request, for error `param`s. */
const OPTIONS_PARAM_PREFIX = 'providerOptions.blackForestLabs';

/** Wire fields for the provider options that are set (the catalog validated them). */
export function bflOptionFields(providerOptions: Record<string, unknown> | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (providerOptions === undefined) return fields;
  for (const [name, field] of Object.entries(OPTION_FIELDS)) {
    if (providerOptions[name] !== undefined) fields[field] = providerOptions[name];
  }
  return fields;
}

/** Our name for a BFL request field a validation error points at (`width` → `size`). */
export function paramOfBflField(field: string): string {
  if (field === 'width' || field === 'height') return 'size';
  for (const [name, wireField] of Object.entries(OPTION_FIELDS)) {
    if (wireField === field) return `${OPTIONS_PARAM_PREFIX}.${name}`;
  }
  return field;
}
