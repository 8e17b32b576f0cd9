/**
 * BFL's provider options: our camelCase names (`providerOptions.blackForestLabs.*` on the public API,
 * already validated per model by the catalog) and the wire fields they become.
 */
const OPTION_FIELDS = {
  safetyTolerance: 'safety_tolerance',
  seed: 'seed',
  promptUpsampling: 'prompt_upsampling',
  guidance: 'guidance',
  steps: 'steps',
  raw: 'raw',
} as const;

type OptionName = keyof typeof OPTION_FIELDS;

/** Where our provider options live in the public request, for error `param`s. */
const OPTIONS_PARAM_PREFIX = 'providerOptions.blackForestLabs';

/** Wire fields for the provider options that are set; unknown keys and non-primitive values are left out. */
export function bflOptionFields(providerOptions: Record<string, unknown> | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (providerOptions === undefined) return fields;
  for (const [name, field] of Object.entries(OPTION_FIELDS)) {
    const value = providerOptions[name as OptionName];
    if (typeof value === 'number' || typeof value === 'boolean') fields[field] = value;
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
