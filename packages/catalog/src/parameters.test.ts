import { describe, expect, it } from 'vitest';
import { expectRefused, resolve } from './parameters-test-helpers.ts';
import type { RequestedParameters } from './requested-parameters.ts';

describe('resolveParameters: n, quality and moderation', () => {
  it.each<[string, string, RequestedParameters, Record<string, unknown>, number]>([
    // [case, model, request, expected parameters, warnings]
    [
      'defaults',
      'gpt-image-1.5',
      {},
      { n: 1, size: 'auto', quality: 'auto', background: 'auto', outputFormat: 'png' },
      0,
    ],
    ['n above the per-call limit is fine (split by the worker)', 'gemini-3-pro-image', { n: 3 }, { n: 3 }, 0],
  ])('%s', (_name, modelId, requested, expected, warnings) => {
    const resolved = resolve(modelId, requested);
    expect(resolved.parameters).toMatchObject(expected);
    expect(resolved.warnings).toHaveLength(warnings);
  });

  it.each<[string, string, RequestedParameters, string]>([
    ['quality on a model without a quality knob', 'imagen-4-0', { quality: 'high' }, 'quality'],
    ['moderation on Gemini', 'gemini-3-pro-image', { moderation: 'low' }, 'moderation'],
    ['n over 10', 'imagen-4-0', { n: 11 }, 'n'],
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
