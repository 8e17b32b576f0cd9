import type { GenerationParameters } from '@imagegate/contracts';
import { resolveFormatExtras } from './animation-and-vector.ts';
import type { CatalogModel } from './catalog-schema.ts';
import { resolveImageCount } from './image-count.ts';
import { ignoredStyleWarning } from './legacy-openai-fields.ts';
import { resolveModeration } from './moderation.ts';
import { resolveOutputEncoding } from './output-encoding.ts';
import { type ProviderOptionsSpec, resolveProviderOptions } from './provider-options.ts';
import { resolveQuality } from './quality.ts';
import type { RequestedParameters } from './requested-parameters.ts';
import { resolveSize } from './resolve-size.ts';
import { resolveStream } from './stream-parameters.ts';

export type { GenerationParameters };

export interface ResolvedParameters {
  parameters: GenerationParameters;
  /** Whatever was honoured inexactly or not used, for the response's `extra.warnings`. */
  warnings: string[];
}

/**
 * Narrows a request to what `model` can do, filling defaults. Anything the model cannot honour is a
 * 400 naming the parameter; anything honoured only approximately is said in a warning: never
 * silently dropped. Checked in this order, so a request wrong twice hears about the first.
 */
export function resolveParameters(
  model: CatalogModel,
  requested: RequestedParameters,
  providers: readonly ProviderOptionsSpec[],
): ResolvedParameters {
  const warnings: string[] = [];
  const n = resolveImageCount(model, requested.n);
  const providerOptions = resolveProviderOptions(
    model,
    requested.providerOptions,
    providers,
    requested.providerOptionsField,
  );
  warnings.push(...providerOptions.warnings);
  const size = resolveSize(model, requested, warnings);
  const quality = resolveQuality(model, requested.quality, warnings);
  const style = ignoredStyleWarning(requested.style);
  if (style !== undefined) warnings.push(style);
  // A provider option may name the output format (BFL's `outputFormat`); it is lifted to ours.
  const encoding = resolveOutputEncoding(model, requested, providerOptions.outputFormat);
  const moderation = resolveModeration(model, requested.moderation);
  const formatExtras = resolveFormatExtras(model, requested, encoding.outputFormat, warnings);
  const stream = resolveStream(model, requested, encoding.outputFormat, warnings);
  return {
    parameters: {
      n,
      ...size,
      quality,
      background: encoding.background,
      outputFormat: encoding.outputFormat,
      outputCompression: encoding.outputCompression,
      moderation,
      ...formatExtras,
      ...stream,
      providerOptions: providerOptions.options,
    },
    warnings,
  };
}
