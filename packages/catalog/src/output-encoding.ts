import type { GenerationParameters } from '@imagegate/contracts';
import type { CatalogModel } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';
import type { RequestedParameters } from './requested-parameters.ts';

type OutputFormat = GenerationParameters['outputFormat'];

/** How the image is encoded: its format, its background and its compression. */
export interface OutputEncoding {
  outputFormat: OutputFormat;
  background: GenerationParameters['background'];
  outputCompression: number | undefined;
}

/**
 * The format (the model's first when none is asked for; a provider option may name it too, but
 * not differently), then a background and a compression that format can carry.
 */
export function resolveOutputEncoding(
  model: CatalogModel,
  requested: RequestedParameters,
  formatFromProviderOptions: string | undefined,
): OutputEncoding {
  const capabilities = model.capabilities;
  const outputFormat = resolveOutputFormat(model, requested.output_format, formatFromProviderOptions);
  const background = requested.background ?? 'auto';
  if (background === 'transparent') {
    if (!capabilities.transparentBackground) {
      throw invalidParameter('background', `${model.id} cannot make a transparent background.`);
    }
    if (outputFormat === 'jpeg') {
      throw invalidParameter('background', "A transparent background needs output_format 'png' or 'webp'.");
    }
  }
  if (requested.output_compression !== undefined) {
    if (!capabilities.outputCompression) {
      throw invalidParameter('output_compression', `${model.id} does not take 'output_compression'.`);
    }
    if (outputFormat === 'png') {
      throw invalidParameter(
        'output_compression',
        "'output_compression' applies to output_format 'jpeg' or 'webp' only.",
      );
    }
  }
  return { outputFormat, background, outputCompression: requested.output_compression };
}

function resolveOutputFormat(
  model: CatalogModel,
  requested: OutputFormat | undefined,
  fromProviderOptions: string | undefined,
): OutputFormat {
  const formats = model.capabilities.outputFormats;
  if (fromProviderOptions !== undefined) {
    if (requested !== undefined && requested !== fromProviderOptions) {
      throw invalidParameter(
        'output_format',
        `'output_format' is ${requested} but providerOptions say ${fromProviderOptions}.`,
      );
    }
    const format = formats.find((candidate) => candidate === fromProviderOptions);
    if (format === undefined) {
      throw invalidParameter(
        'output_format',
        `Invalid value for 'output_format': ${model.id} supports ${formats.join(', ')}.`,
      );
    }
    return format;
  }
  // Absent, it is PNG where the model makes PNG (OpenAI's default), whatever the upstream's own.
  const outputFormat = requested ?? (formats.includes('png') ? 'png' : (formats[0] ?? 'png'));
  if (!formats.includes(outputFormat)) {
    throw invalidParameter(
      'output_format',
      `Invalid value for 'output_format': ${model.id} supports ${formats.join(', ')}.`,
    );
  }
  return outputFormat;
}
