import { type ErrorCode, InvalidRequestError } from '@imagegate/core';
import { z } from 'zod';
import type { CatalogModel } from './catalog-schema.ts';

/**
 * `providerOptions` (Vercel AI Gateway style): `{ "<provider key>": { "<option>": value } }`. Options
 * for the model's provider are validated against the catalog's list for that model and handed to the
 * adapter (camelCase); options for another provider are not used and said so in a warning; anything
 * unknown is a 400 naming the exact `param`.
 */

/** The keys callers use for each provider (Vercel's names first). */
const PROVIDER_KEYS: Readonly<Record<string, readonly string[]>> = {
  openai: ['openai'],
  google: ['googleVertex', 'google', 'vertex'],
  bfl: ['blackForestLabs', 'bfl'],
};

/** Every option any model may take, with its value schema; the catalog says which model takes which. */
const OPTION_VALUES: Readonly<Record<string, z.ZodType>> = {
  safetyFilterLevel: z.enum([
    'block_low_and_above',
    'block_medium_and_above',
    'block_only_high',
    'block_none',
    'block_most',
    'block_some',
    'block_few',
    'block_fewest',
  ]),
  personGeneration: z.enum(['dont_allow', 'allow_adult', 'allow_all']),
  seed: z.int().min(0).max(4_294_967_295),
  addWatermark: z.boolean(),
  enhancePrompt: z.boolean(),
  negativePrompt: z.string().max(2000),
  language: z.enum(['auto', 'en', 'zh', 'zh-CN', 'zh-TW', 'hi', 'ja', 'ko', 'pt', 'es']),
  safetyTolerance: z.int(),
  promptUpsampling: z.boolean(),
  guidance: z.number(),
  steps: z.int(),
  raw: z.boolean(),
};

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

function providerOfKey(key: string): string | undefined {
  return Object.entries(PROVIDER_KEYS).find(([, keys]) => keys.includes(key))?.[0];
}

export function resolveProviderOptions(
  model: CatalogModel,
  given: Record<string, unknown> | undefined,
  field = 'providerOptions',
): ResolvedProviderOptions {
  const resolved: ResolvedProviderOptions = { options: undefined, outputFormat: undefined, warnings: [] };
  if (given === undefined) return resolved;
  let ownKey: string | undefined;
  for (const [key, value] of Object.entries(given)) {
    const provider = providerOfKey(key);
    if (provider === undefined) {
      const known = Object.values(PROVIDER_KEYS)
        .map((keys) => keys.join(' / '))
        .join(', ');
      throw invalid(`${field}.${key}`, `Unknown provider '${key}' in ${field}. Known: ${known}.`, 'unknown_parameter');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalid(`${field}.${key}`, `${field}.${key} must be an object of options.`);
    }
    if (provider !== model.provider) {
      resolved.warnings.push(`${field}.${key} was not used: ${model.id} is served by ${model.provider}.`);
      continue;
    }
    if (ownKey !== undefined) {
      throw invalid(`${field}.${key}`, `Give ${model.provider}'s options under one key, not '${ownKey}' and '${key}'.`);
    }
    ownKey = key;
    resolved.options = validateOptions(model, value as Record<string, unknown>, `${field}.${key}`, resolved);
  }
  return resolved;
}

function validateOptions(
  model: CatalogModel,
  given: Record<string, unknown>,
  path: string,
  resolved: ResolvedProviderOptions,
): Record<string, unknown> | undefined {
  const allowed = model.capabilities.providerOptions;
  const options: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(given)) {
    const name = camelCase(rawName);
    const param = `${path}.${rawName}`;
    if (value === null || value === undefined) continue;
    if (name === LIFTED_OUTPUT_FORMAT && model.provider === 'bfl') {
      if (typeof value !== 'string') throw invalid(param, `${param} must be a string.`);
      resolved.outputFormat = value;
      continue;
    }
    const bounds = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    const schema = Object.hasOwn(OPTION_VALUES, name) ? OPTION_VALUES[name] : undefined;
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
