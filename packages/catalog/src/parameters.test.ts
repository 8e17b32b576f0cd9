import { GatewayError } from '@imagegate/core';
import { describe, expect, it } from 'vitest';
import { loadCatalog, RETIRED_MODELS_FILE } from './catalog.ts';
import { type RequestedParameters, resolveParameters } from './parameters.ts';

// The retired models brought back, as an operator would: these cases exercise their size forms.
const catalog = loadCatalog({ file: RETIRED_MODELS_FILE });
const resolve = (modelId: string, requested: RequestedParameters) =>
  resolveParameters(catalog.resolve(modelId), requested);

function expectRefused(attempt: () => unknown, param: string): void {
  let thrown: unknown;
  try {
    attempt();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GatewayError);
  expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', param });
}

describe('resolveParameters: sizes and aspect ratios, per provider form', () => {
  it.each<[string, string, RequestedParameters, Record<string, unknown>, number]>([
    // [case, model, request, expected parameters, warnings]
    [
      'defaults',
      'gpt-image-1.5',
      {},
      { n: 1, size: 'auto', quality: 'auto', background: 'auto', outputFormat: 'png' },
      0,
    ],
    ['a listed size', 'gpt-image-1.5', { size: '1024x1536' }, { size: '1024x1536' }, 0],
    ['16:9 to the nearest fixed size, said', 'gpt-image-1-mini', { aspect_ratio: '16:9' }, { size: '1536x1024' }, 1],
    ['9:16 to the nearest fixed size, said', 'gpt-image-1-mini', { aspect_ratio: '9:16' }, { size: '1024x1536' }, 1],
    ['3:2 exactly', 'gpt-image-1-mini', { aspect_ratio: '3:2' }, { size: '1536x1024' }, 0],
    ['16:9 to a free size on the 16 grid', 'gpt-image-2', { aspect_ratio: '16:9' }, { size: '1360x768' }, 0],
    ['a custom gpt-image-2 size', 'gpt-image-2', { size: '3840x2160' }, { size: '3840x2160' }, 0],
    // Imagen: aspectRatio + sampleImageSize.
    [
      'Imagen default',
      'imagen-4-0',
      {},
      { size: '1024x1024', aspectRatio: '1:1', imageSize: '1K', outputFormat: 'png' },
      0,
    ],
    [
      'Imagen 16:9',
      'imagen-4-0',
      { aspect_ratio: '16:9' },
      { size: '1408x768', aspectRatio: '16:9', imageSize: '1K' },
      0,
    ],
    ['Imagen 2K by size', 'imagen-4-ultra', { size: '2816x1536' }, { aspectRatio: '16:9', imageSize: '2K' }, 0],
    ['Imagen 3:2 to 4:3, said', 'imagen-4-0', { aspect_ratio: '3:2' }, { size: '1280x896', aspectRatio: '4:3' }, 1],
    [
      'Imagen 1536x1024 to 1280x896, said',
      'imagen-4-0',
      { size: '1536x1024' },
      { size: '1280x896', imageSize: '1K' },
      1,
    ],
    ['Imagen 3000x2000 to 2K 4:3', 'imagen-4-0', { size: '3000x2000' }, { size: '2560x1792', imageSize: '2K' }, 1],
    [
      'Imagen Fast has no 2K (and is sent no class)',
      'imagen-4-flash',
      { size: '2048x2048' },
      { size: '1024x1024', imageSize: undefined },
      1,
    ],
    ['FLUX1.1 21:9 fits its 1440 px edge', 'flux-pro-1.1', { aspect_ratio: '21:9' }, { size: '1440x608' }, 0],
    // Gemini: imageConfig.aspectRatio + imageSize.
    [
      'Gemini 2.5 21:9',
      'gemini-2.5-flash-image',
      { aspect_ratio: '21:9' },
      { size: '1536x672', aspectRatio: '21:9' },
      0,
    ],
    ['Gemini 3.1 1:8', 'gemini-3.1-flash-image', { aspect_ratio: '1:8' }, { aspectRatio: '1:8', imageSize: '1K' }, 0],
    ['Gemini 3 Pro 4K', 'gemini-3-pro-image', { size: '4096x4096' }, { aspectRatio: '1:1', imageSize: '4K' }, 0],
    // PNG when the request names no format and the model makes PNG (OpenAI's default).
    ['Gemini 3 Pro png by default', 'google/gemini-3-pro-image', {}, { outputFormat: 'png' }, 0],
    // FLUX: width/height or aspect_ratio.
    ['FLUX.2 any size on the 16 grid', 'flux-2-pro', { size: '1344x768' }, { size: '1344x768' }, 0],
    ['FLUX.2 16:9', 'bfl/flux-2-pro', { aspect_ratio: '16:9' }, { size: '1360x768' }, 0],
    ['FLUX.2 png by default', 'flux-2-flex', {}, { outputFormat: 'png', size: '1024x1024' }, 0],
    // A size the model cannot make exactly maps to the nearest it can, said in a warning.
    [
      'a size a fixed-size model lacks, to the nearest',
      'gpt-image-1.5',
      { size: '2048x2048' },
      { size: '1024x1024' },
      1,
    ],
    ['too few pixels, to the smallest', 'gpt-image-2', { size: '512x512' }, { size: '816x816' }, 1],
    ['1920x1080 onto the 16 grid', 'gpt-image-2', { size: '1920x1080' }, { size: '1920x1088' }, 1],
    ['FLUX.2 off the 16 grid, to the nearest', 'flux-2-pro', { size: '1000x1000' }, { size: '1008x1008' }, 1],
    ['FLUX.2 over 4 MP, to 4 MP', 'flux-2-pro', { size: '4096x2048' }, { size: '2880x1440' }, 1],
    ['FLUX1.1 under 256 px, to 256', 'flux-pro-1.1', { size: '224x224' }, { size: '256x256' }, 1],
    [
      'Kontext 16:9',
      'flux-kontext-pro',
      { aspect_ratio: '16:9' },
      { size: '1376x768', aspectRatio: '16:9', imageSize: undefined },
      0,
    ],
    ['Kontext 9:21', 'flux-kontext-max', { aspect_ratio: '9:21' }, { aspectRatio: '9:21' }, 0],
    ['FLUX1.1 pro default', 'flux-pro-1.1', {}, { size: '1024x768' }, 0],
    ['n above the per-call limit is fine (split by the worker)', 'gemini-3-pro-image', { n: 3 }, { n: 3 }, 0],
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
      'a shape more than 25 % off what the model makes (4:1 on 3:1 at most)',
      'gpt-image-2',
      { size: '4096x1024' },
      'size',
    ],
    ['a shape more than 25 % off every fixed size', 'gpt-image-1.5', { size: '2048x1024' }, 'size'],
    [
      'a transparent background on gpt-image-2 (refused upstream)',
      'gpt-image-2',
      { background: 'transparent' },
      'background',
    ],
    ['size and aspect_ratio together', 'gpt-image-2', { size: '1024x1024', aspect_ratio: '1:1' }, 'aspect_ratio'],
    ['an aspect ratio beyond 3:1', 'gpt-image-2', { aspect_ratio: '4:1' }, 'aspect_ratio'],
    ['transparent jpeg', 'gpt-image-1.5', { background: 'transparent', output_format: 'jpeg' }, 'background'],
    ['compression for png', 'gpt-image-1.5', { output_compression: 10 }, 'output_compression'],
    ['21:9 on Imagen', 'imagen-4-0', { aspect_ratio: '21:9' }, 'aspect_ratio'],
    ['a 3:1 size on Imagen', 'imagen-4-0', { size: '1536x512' }, 'size'],
    ['a malformed size on Imagen', 'imagen-4-0', { size: 'big' }, 'size'],
    ['quality on a model without a quality knob', 'imagen-4-0', { quality: 'high' }, 'quality'],
    ['webp on Imagen', 'imagen-4-0', { output_format: 'webp' }, 'output_format'],
    ['transparent on FLUX', 'flux-2-pro', { background: 'transparent', output_format: 'png' }, 'background'],
    ['compression on FLUX', 'flux-2-pro', { output_format: 'jpeg', output_compression: 80 }, 'output_compression'],
    ['moderation on Gemini', 'gemini-3-pro-image', { moderation: 'low' }, 'moderation'],
    ['n over 10', 'imagen-4-0', { n: 11 }, 'n'],
    ['a ratio FLUX1.1 cannot make within its edges', 'flux-pro-1.1', { aspect_ratio: '9:1' }, 'aspect_ratio'],
  ])('refuses %s, naming the param', (_name, modelId, requested, param) => {
    expectRefused(() => resolve(modelId, requested), param);
  });
});

describe('resolveParameters: providerOptions', () => {
  it.each<[string, string, Record<string, unknown>, Record<string, unknown> | undefined, number]>([
    ['BFL safety tolerance', 'flux-2-pro', { blackForestLabs: { safetyTolerance: 2 } }, { safetyTolerance: 2 }, 0],
    ['snake_case names', 'flux-2-pro', { bfl: { safety_tolerance: 1, seed: 7 } }, { safetyTolerance: 1, seed: 7 }, 0],
    [
      'flex takes steps and guidance',
      'flux-2-flex',
      { blackForestLabs: { steps: 20, guidance: 3.5 } },
      { steps: 20, guidance: 3.5 },
      0,
    ],
    ['Kontext goes to 6', 'flux-kontext-pro', { blackForestLabs: { safetyTolerance: 6 } }, { safetyTolerance: 6 }, 0],
    [
      'Imagen safety filter and persons',
      'imagen-4-0',
      { googleVertex: { safetyFilterLevel: 'block_only_high', personGeneration: 'dont_allow' } },
      { safetyFilterLevel: 'block_only_high', personGeneration: 'dont_allow' },
      0,
    ],
    [
      'Imagen seed without watermark',
      'imagen-4-0',
      { google: { seed: 3, addWatermark: false } },
      { seed: 3, addWatermark: false },
      0,
    ],
    ['Gemini seed', 'gemini-3.1-flash-image', { vertex: { seed: 3 } }, { seed: 3 }, 0],
    [
      'another provider’s options are not used, and that is said',
      'gpt-image-2',
      { blackForestLabs: { seed: 1 } },
      undefined,
      1,
    ],
  ])('%s', (_name, modelId, providerOptions, expected, warnings) => {
    const resolved = resolve(modelId, { providerOptions });
    expect(resolved.parameters.providerOptions).toEqual(expected);
    expect(resolved.warnings).toHaveLength(warnings);
  });

  it('lifts a BFL outputFormat to output_format', () => {
    expect(
      resolve('flux-2-pro', { providerOptions: { blackForestLabs: { outputFormat: 'png' } } }).parameters,
    ).toMatchObject({
      outputFormat: 'png',
      providerOptions: undefined,
    });
  });

  it.each<[string, string, RequestedParameters, string]>([
    ['an unknown provider', 'flux-2-pro', { providerOptions: { midjourney: {} } }, 'providerOptions.midjourney'],
    ['options that are not an object', 'flux-2-pro', { providerOptions: { bfl: 'x' as never } }, 'providerOptions.bfl'],
    [
      'an option the model lacks',
      'flux-2-pro',
      { providerOptions: { bfl: { steps: 10 } } },
      'providerOptions.bfl.steps',
    ],
    [
      'FLUX.2 tolerance over 5',
      'flux-2-pro',
      { providerOptions: { bfl: { safety_tolerance: 6 } } },
      'providerOptions.bfl.safety_tolerance',
    ],
    ['a wrong type', 'flux-2-pro', { providerOptions: { bfl: { seed: 'x' } } }, 'providerOptions.bfl.seed'],
    [
      'a bad enum',
      'imagen-4-0',
      { providerOptions: { google: { personGeneration: 'everyone' } } },
      'providerOptions.google.personGeneration',
    ],
    [
      'an Imagen seed with the watermark on',
      'imagen-4-0',
      { providerOptions: { googleVertex: { seed: 1 } } },
      'providerOptions.googleVertex.seed',
    ],
    [
      'one provider under two keys',
      'imagen-4-0',
      { providerOptions: { google: {}, vertex: {} } },
      'providerOptions.vertex',
    ],
    [
      'an outputFormat that contradicts output_format',
      'flux-2-pro',
      { output_format: 'jpeg', providerOptions: { bfl: { outputFormat: 'png' } } },
      'output_format',
    ],
    [
      'the snake_case field name is named back',
      'flux-2-pro',
      { providerOptions: { nope: {} }, providerOptionsField: 'provider_options' },
      'provider_options.nope',
    ],
    [
      'OpenAI models take no options',
      'gpt-image-2',
      { providerOptions: { openai: { style: 'vivid' } } },
      'providerOptions.openai.style',
    ],
  ])('refuses %s, naming the param', (_name, modelId, requested, param) => {
    expectRefused(() => resolve(modelId, requested), param);
  });
});
