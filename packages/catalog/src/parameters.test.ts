import { GatewayError } from '@imagegate/core';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.ts';
import { type RequestedParameters, resolveParameters } from './parameters.ts';

const catalog = loadCatalog();

describe('resolveParameters', () => {
  it.each<[string, string, RequestedParameters, Partial<ReturnType<typeof resolveParameters>>]>([
    ['defaults', 'gpt-image-1.5', {}, { n: 1, size: 'auto', quality: 'auto', background: 'auto', outputFormat: 'png' }],
    ['a listed size', 'gpt-image-1.5', { size: '1024x1536' }, { size: '1024x1536' }],
    ['16:9 to the nearest fixed size', 'gpt-image-1-mini', { aspect_ratio: '16:9' }, { size: '1536x1024' }],
    ['9:16 to the nearest fixed size', 'gpt-image-1-mini', { aspect_ratio: '9:16' }, { size: '1024x1536' }],
    ['16:9 to a free size on the 16 grid', 'gpt-image-2', { aspect_ratio: '16:9' }, { size: '1360x768' }],
    ['a custom gpt-image-2 size', 'gpt-image-2', { size: '3840x2160' }, { size: '3840x2160' }],
    [
      'transparent webp',
      'gpt-image-2',
      { background: 'transparent', output_format: 'webp' },
      { background: 'transparent', outputFormat: 'webp' },
    ],
    ['jpeg compression', 'gpt-image-2', { output_format: 'jpeg', output_compression: 80 }, { outputCompression: 80 }],
  ])('resolves %s', (_name, modelId, requested, expected) => {
    expect(resolveParameters(catalog.resolve(modelId), requested)).toMatchObject(expected);
  });

  it.each<[string, string, RequestedParameters, string]>([
    ['a size the model lacks', 'gpt-image-1.5', { size: '2048x2048' }, 'size'],
    ['an edge over 3840', 'gpt-image-2', { size: '4096x1024' }, 'size'],
    ['too few pixels', 'gpt-image-2', { size: '512x512' }, 'size'],
    ['size and aspect_ratio together', 'gpt-image-2', { size: '1024x1024', aspect_ratio: '1:1' }, 'aspect_ratio'],
    ['an aspect ratio beyond 3:1', 'gpt-image-2', { aspect_ratio: '4:1' }, 'aspect_ratio'],
    ['transparent jpeg', 'gpt-image-1.5', { background: 'transparent', output_format: 'jpeg' }, 'background'],
    ['compression for png', 'gpt-image-1.5', { output_compression: 10 }, 'output_compression'],
  ])('refuses %s naming the param', (_name, modelId, requested, param) => {
    const attempt = () => resolveParameters(catalog.resolve(modelId), requested);
    expect(attempt).toThrow(GatewayError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    }
  });
});

describe('Catalog.resolve', () => {
  it('finds a model by id, owner/id and alias, case-insensitively', () => {
    expect(catalog.resolve('gpt-image-2').id).toBe('gpt-image-2');
    expect(catalog.resolve('OpenAI/GPT-Image-2').id).toBe('gpt-image-2');
    expect(catalog.resolve('gpt-image-2-2026-04-21').id).toBe('gpt-image-2');
  });

  it('answers 404 model_not_found for an unknown model', () => {
    expect(() => catalog.resolve('dall-e-9')).toThrow(
      expect.objectContaining({ status: 404, code: 'model_not_found', param: 'model' }),
    );
  });
});
