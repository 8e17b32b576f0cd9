import { describe, expect, it } from 'vitest';
import { expectRefused, resolve } from './parameters-test-helpers.ts';
import type { RequestedParameters } from './requested-parameters.ts';

describe('resolveParameters: sizes and aspect ratios, per provider form', () => {
  it.each<[string, string, RequestedParameters, Record<string, unknown>, number]>([
    // [case, model, request, expected parameters, warnings]
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
    // FLUX: width/height or aspect_ratio.
    ['FLUX.2 any size on the 16 grid', 'flux-2-pro', { size: '1344x768' }, { size: '1344x768' }, 0],
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
    ['FLUX.2 16:9', 'bfl/flux-2-pro', { aspect_ratio: '16:9' }, { size: '1360x768' }, 0],
    [
      'Kontext 16:9',
      'flux-kontext-pro',
      { aspect_ratio: '16:9' },
      { size: '1376x768', aspectRatio: '16:9', imageSize: undefined },
      0,
    ],
    ['Kontext 9:21', 'flux-kontext-max', { aspect_ratio: '9:21' }, { aspectRatio: '9:21' }, 0],
    ['FLUX1.1 pro default', 'flux-pro-1.1', {}, { size: '1024x768' }, 0],
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
    ['size and aspect_ratio together', 'gpt-image-2', { size: '1024x1024', aspect_ratio: '1:1' }, 'aspect_ratio'],
    ['an aspect ratio beyond 3:1', 'gpt-image-2', { aspect_ratio: '4:1' }, 'aspect_ratio'],
    ['21:9 on Imagen', 'imagen-4-0', { aspect_ratio: '21:9' }, 'aspect_ratio'],
    ['a 3:1 size on Imagen', 'imagen-4-0', { size: '1536x512' }, 'size'],
    ['a malformed size on Imagen', 'imagen-4-0', { size: 'big' }, 'size'],
    ['a ratio FLUX1.1 cannot make within its edges', 'flux-pro-1.1', { aspect_ratio: '9:1' }, 'aspect_ratio'],
  ])('refuses %s, naming the param', (_name, modelId, requested, param) => {
    expectRefused(() => resolve(modelId, requested), param);
  });
});
