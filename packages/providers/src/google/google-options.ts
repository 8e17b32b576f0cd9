import { InvalidRequestError } from '@imagegate/core';

/** Imagen `parameters` a caller may set through `provider_options.google` (docs/providers.md, "Imagen"). */
export interface ImagenOptions {
  /** Sent as `safetySetting`, e.g. `block_medium_and_above`. */
  safetyFilterLevel?: string;
  /** `dont_allow`, `allow_adult`, `allow_all`. */
  personGeneration?: string;
  /** Only honoured with `addWatermark: false` (the catalog sends both). */
  seed?: number;
  addWatermark?: boolean;
  enhancePrompt?: boolean;
  negativePrompt?: string;
  language?: string;
}

/** Gemini options; `personGeneration` exists on Vertex only. */
export interface GeminiOptions {
  personGeneration?: string;
  seed?: number;
}

const IMAGEN_OPTIONS = {
  safetyFilterLevel: 'string',
  personGeneration: 'string',
  seed: 'integer',
  addWatermark: 'boolean',
  enhancePrompt: 'boolean',
  negativePrompt: 'string',
  language: 'string',
} as const;

const GEMINI_OPTIONS = { personGeneration: 'string', seed: 'integer' } as const;

type Kind = 'string' | 'integer' | 'boolean';

/** The options already validated at submission, re-checked for type so nothing odd reaches Google. */
export function readImagenOptions(options: Record<string, unknown> | undefined): ReadOptions<ImagenOptions> {
  return readOptions(options, IMAGEN_OPTIONS, 'Imagen');
}

export function readGeminiOptions(options: Record<string, unknown> | undefined): ReadOptions<GeminiOptions> {
  return readOptions(options, GEMINI_OPTIONS, 'Gemini');
}

export interface ReadOptions<T> {
  options: T;
  /** One per option this API does not take (dropped, not sent). */
  warnings: string[];
}

/** The public name of an option, as error `param`s give it. */
export function optionParam(name: string): string {
  return `providerOptions.google.${name}`;
}

function readOptions<T>(
  options: Record<string, unknown> | undefined,
  known: Readonly<Record<string, Kind>>,
  api: string,
): ReadOptions<T> {
  const read: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue;
    const kind = known[name];
    if (kind === undefined) {
      warnings.push(`${optionParam(name)} is not supported by Google ${api} models and was ignored.`);
      continue;
    }
    if (!hasKind(value, kind)) {
      throw new InvalidRequestError(`${optionParam(name)} must be ${kind === 'integer' ? 'an' : 'a'} ${kind}.`, {
        param: optionParam(name),
        code: 'invalid_type',
      });
    }
    read[name] = value;
  }
  return { options: read as T, warnings };
}

function hasKind(value: unknown, kind: Kind): boolean {
  return kind === 'integer' ? Number.isInteger(value) : typeof value === kind;
}
