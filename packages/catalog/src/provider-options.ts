import { type ErrorCode, InvalidRequestError } from '@imagegate/core';
import type { z } from 'zod';
import type { CatalogModel } from './catalog-schema.ts';

/**
 * `providerOptions` (Vercel AI Gateway style): `{ "<provider key>": { "<option>": value } }`. Options
 * for the model's provider are validated against the catalog's list for that model and handed to the
 * adapter (camelCase); options for another provider are not used and said so in a warning; anything
 * unknown is a 400 naming the exact `param`.
 */

/**
 * What the catalog needs of a provider to check its options: the provider definitions (see
 * `@imagegate/providers`' `PROVIDERS`) are handed to `loadCatalog`, so this package never loads an adapter.
 */
export interface ProviderOptionsSpec {
  /** The provider's name, as catalog entries' `provider` give it. */
  readonly name: string;
  /** The keys callers put its options under (Vercel's name first). */
  readonly optionKeys: readonly string[];
  /** Every option any of its models takes (camelCase name → value schema). */
  readonly optionsSchema: z.ZodObject;
  /** Whether an `outputFormat` among its options means the top-level `output_format`. */
  readonly outputFormatInOptions?: boolean | undefined;
}

/** An output format given inside a provider's options (Vercel's BFL examples do this). */
const LIFTED_OUTPUT_FORMAT = 'outputFormat';

export interface ResolvedProviderOptions {
  /** The model's provider's options, validated, camelCase; undefined when none were given. */
  options: Record<string, unknown> | undefined;
  /** `outputFormat` given inside the provider's options, to be merged with the top-level field. */
  outputFormat: string | undefined;
  warnings: string[];
}

const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

function invalid(param: string, message: string, code: ErrorCode = 'invalid_value'): InvalidRequestError {
  return new InvalidRequestError(message, { param, code });
}

/**
 * The model's provider's options out of `given`, validated through its spec and the model's
 * catalog entry. `providers` are the provider definitions the catalog was loaded with.
 */
export function resolveProviderOptions(
  model: CatalogModel,
  given: Record<string, unknown> | undefined,
  providers: readonly ProviderOptionsSpec[],
  field = 'providerOptions',
): ResolvedProviderOptions {
  const resolved: ResolvedProviderOptions = { options: undefined, outputFormat: undefined, warnings: [] };
  if (given === undefined) return resolved;
  let ownKey: string | undefined;
  for (const [key, value] of Object.entries(given)) {
    const spec = providers.find((candidate) => candidate.optionKeys.includes(key));
    if (spec === undefined) {
      const known = providers.map((candidate) => candidate.optionKeys.join(' / ')).join(', ');
      throw invalid(`${field}.${key}`, `Unknown provider '${key}' in ${field}. Known: ${known}.`, 'unknown_parameter');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalid(`${field}.${key}`, `${field}.${key} must be an object of options.`);
    }
    if (spec.name !== model.provider) {
      resolved.warnings.push(`${field}.${key} was not used: ${model.id} is served by ${model.provider}.`);
      continue;
    }
    if (ownKey !== undefined) {
      throw invalid(`${field}.${key}`, `Give ${model.provider}'s options under one key, not '${ownKey}' and '${key}'.`);
    }
    ownKey = key;
    resolved.options = validateOptions(model, spec, value, `${field}.${key}`, resolved);
  }
  return resolved;
}

function validateOptions(
  model: CatalogModel,
  spec: ProviderOptionsSpec,
  given: object,
  path: string,
  resolved: ResolvedProviderOptions,
): Record<string, unknown> | undefined {
  const allowed = model.capabilities.providerOptions;
  const options: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(given)) {
    const name = camelCase(rawName);
    const param = `${path}.${rawName}`;
    if (value === null || value === undefined) continue;
    if (name === LIFTED_OUTPUT_FORMAT && spec.outputFormatInOptions === true) {
      if (typeof value !== 'string') throw invalid(param, `${param} must be a string.`);
      resolved.outputFormat = value;
      continue;
    }
    const bounds = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    const schema = Object.hasOwn(spec.optionsSchema.shape, name) ? spec.optionsSchema.shape[name] : undefined;
    if (bounds === undefined || schema === undefined) {
      const takes = Object.keys(allowed);
      throw invalid(
        param,
        `${model.id} does not take the option '${rawName}'.${takes.length > 0 ? ` It takes: ${takes.join(', ')}.` : ''}`,
        'unknown_parameter',
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw invalid(param, `Invalid value for '${param}': ${parsed.error.issues[0]?.message ?? 'not accepted'}.`);
    }
    if (typeof parsed.data === 'number') {
      if (
        (bounds.min !== undefined && parsed.data < bounds.min) ||
        (bounds.max !== undefined && parsed.data > bounds.max)
      ) {
        throw invalid(
          param,
          `Invalid value for '${param}': ${model.id} takes ${bounds.min ?? '…'} to ${bounds.max ?? '…'}.`,
        );
      }
    }
    options[name] = parsed.data;
  }
  // Imagen applies a seed only to unwatermarked images; say so rather than let the seed do nothing.
  if (options.seed !== undefined && 'addWatermark' in allowed && options.addWatermark !== false) {
    throw invalid(
      `${path}.seed`,
      `${model.id} applies a seed only without the watermark: also pass addWatermark: false.`,
    );
  }
  return Object.keys(options).length > 0 ? options : undefined;
}
