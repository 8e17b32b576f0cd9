import { describe, expect, it } from 'vitest';
import { expectRefused, resolve } from './parameters-test-helpers.ts';
import type { RequestedParameters } from './requested-parameters.ts';

describe('resolveParameters: output format, background and compression', () => {
  it.each<[string, string, RequestedParameters, Record<string, unknown>, number]>([
    // [case, model, request, expected parameters, warnings]
    // PNG when the request names no format and the model makes PNG (OpenAI's default).
    ['Gemini 3 Pro png by default', 'google/gemini-3-pro-image', {}, { outputFormat: 'png' }, 0],
    ['FLUX.2 png by default', 'flux-2-flex', {}, { outputFormat: 'png', size: '1024x1024' }, 0],
    [
      'transparent webp',
      'gpt-image-2.5-sunburst',
      { background: 'transparent', output_format: 'webp' },
      { background: 'transparent', outputFormat: 'webp' },
      0,
    ],
    [
      'jpeg compression',
      'gpt-image-2',
      { output_format: 'jpeg', output_compression: 80 },
      { outputCompression: 80 },
      0,
    ],
    [
      'Imagen jpeg compression',
      'imagen-4-0',
      { output_format: 'jpeg', output_compression: 60 },
      { outputCompression: 60 },
      0,
    ],
  ])('%s', (_name, modelId, requested, expected, warnings) => {
    const resolved = resolve(modelId, requested);
    expect(resolved.parameters).toMatchObject(expected);
    expect(resolved.warnings).toHaveLength(warnings);
  });

  it.each<[string, string, RequestedParameters, string]>([
    [
      'a transparent background on gpt-image-2 (refused upstream)',
      'gpt-image-2',
      { background: 'transparent' },
      'background',
    ],
    ['transparent jpeg', 'gpt-image-1.5', { background: 'transparent', output_format: 'jpeg' }, 'background'],
    ['compression for png', 'gpt-image-1.5', { output_compression: 10 }, 'output_compression'],
    ['webp on Imagen', 'imagen-4-0', { output_format: 'webp' }, 'output_format'],
    ['transparent on FLUX', 'flux-2-pro', { background: 'transparent', output_format: 'png' }, 'background'],
    ['compression on FLUX', 'flux-2-pro', { output_format: 'jpeg', output_compression: 80 }, 'output_compression'],
  ])('refuses %s, naming the param', (_name, modelId, requested, param) => {
    expectRefused(() => resolve(modelId, requested), param);
  });
});
