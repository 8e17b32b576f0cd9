import type { GenerationParameters } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import type { CatalogModel } from './catalog-schema.ts';

/** The request fields of gpt-image-2.6's GIF and SVG output, its `complexity`, and `safety_identifier`. */
export interface FormatExtrasRequest {
  n?: number | undefined;
  output_compression?: number | undefined;
  complexity?: 'low' | 'medium' | 'high' | undefined;
  frame_count?: number | undefined;
  frame_duration_ms?: number | undefined;
  svg?: Record<string, unknown> | undefined;
  safety_identifier?: string | undefined;
}

type FormatExtras = Pick<
  GenerationParameters,
  'complexity' | 'frameCount' | 'frameDurationMs' | 'svg' | 'safetyIdentifier'
>;

const invalid = (param: string, message: string) => new InvalidRequestError(message, { param, code: 'invalid_value' });

/**
 * Checks what goes with GIF and SVG output as OpenAI does (openai SDK 7.59): `frame_count` and
 * `frame_duration_ms` only with GIF, `svg` only with SVG, neither format compressed, one SVG per
 * request; `complexity` only where the model takes it. `safety_identifier` is OpenAI's: other
 * upstreams have no place for it, which a warning says.
 */
export function resolveFormatExtras(
  model: CatalogModel,
  requested: FormatExtrasRequest,
  outputFormat: GenerationParameters['outputFormat'],
  warnings: string[],
): FormatExtras {
  if (outputFormat !== 'gif') {
    if (requested.frame_count !== undefined)
      throw invalid('frame_count', "'frame_count' goes with output_format 'gif'.");
    if (requested.frame_duration_ms !== undefined) {
      throw invalid('frame_duration_ms', "'frame_duration_ms' goes with output_format 'gif'.");
    }
  }
  if (outputFormat !== 'svg' && requested.svg !== undefined)
    throw invalid('svg', "'svg' goes with output_format 'svg'.");
  if ((outputFormat === 'gif' || outputFormat === 'svg') && requested.output_compression !== undefined) {
    throw invalid('output_compression', `'output_compression' does not apply to output_format '${outputFormat}'.`);
  }
  if (outputFormat === 'svg' && (requested.n ?? 1) !== 1) {
    throw invalid('n', "output_format 'svg' makes one image per request: 'n' must be 1.");
  }
  if (requested.complexity !== undefined && !model.capabilities.complexity) {
    throw invalid('complexity', `${model.id} does not take 'complexity'.`);
  }
  const openai = model.protocol === 'openai-images';
  if (requested.safety_identifier !== undefined && !openai) {
    warnings.push(`safety_identifier is OpenAI's; ${model.id} has no place for it, so it was not sent.`);
  }
  // Only what was asked: a job's parameters carry no empty keys.
  return {
    ...(requested.complexity === undefined ? {} : { complexity: requested.complexity }),
    ...(requested.frame_count === undefined ? {} : { frameCount: requested.frame_count }),
    ...(requested.frame_duration_ms === undefined ? {} : { frameDurationMs: requested.frame_duration_ms }),
    ...(requested.svg === undefined ? {} : { svg: requested.svg }),
    ...(requested.safety_identifier === undefined || !openai ? {} : { safetyIdentifier: requested.safety_identifier }),
  };
}
