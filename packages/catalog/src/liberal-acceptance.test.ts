import { PROVIDERS } from '@imagegate/providers';
import { describe, expect, it } from 'vitest';
import { loadCatalog, RETIRED_MODELS_FILE } from './catalog.ts';
import { resolveParameters } from './parameters.ts';

/** Today's models and the retired ones an operator may bring back: the promise holds on all of them. */
const catalog = loadCatalog({ file: RETIRED_MODELS_FILE, providers: PROVIDERS });
const models = catalog.models;

describe('requests written for older OpenAI models', () => {
  it.each(models.map((model) => [model.id, model]))('maps 1920x1080 on %s to a size it makes, said', (_id, model) => {
    const { parameters, warnings } = resolveParameters(model, { size: '1920x1080' }, catalog.providerOptions);
    expect(parameters.size).not.toBe('1920x1080');
    expect(warnings.join(' ')).toContain(`used the nearest size, ${parameters.size}`);
    // What the response echoes is a size the same model takes as it is.
    const again = resolveParameters(model, { size: parameters.size }, catalog.providerOptions);
    expect(again.parameters.size).toBe(parameters.size);
    expect(again.warnings).toEqual([]);
  });

  it.each<[string, 'standard' | 'hd', string]>([
    ['gpt-image-2', 'standard', 'medium'],
    ['gpt-image-2.6-sunburst', 'hd', 'high'],
    ['gemini-3-pro-image', 'hd', 'auto'],
    ['flux-2-pro', 'standard', 'auto'],
  ])('maps %s quality %s to %s, with a warning', (id, quality, expected) => {
    const model = models.find((each) => each.id === id);
    if (model === undefined) throw new Error(`no ${id}`);
    const { parameters, warnings } = resolveParameters(model, { quality }, catalog.providerOptions);
    expect(parameters.quality).toBe(expected);
    expect(model.capabilities.qualities).toContain(parameters.quality);
    expect(warnings).toEqual([expect.stringContaining(`quality '${quality}'`)]);
  });

  it('ignores style, with a warning, as a DallEAPIWrapper sends it', () => {
    const model = models.find((each) => each.id === 'gpt-image-2.6-flare');
    if (model === undefined) throw new Error('no gpt-image-2.6-flare');
    const { parameters, warnings } = resolveParameters(
      model,
      {
        quality: 'standard',
        style: 'vivid',
        size: '1024x1024',
        n: 1,
      },
      catalog.providerOptions,
    );
    expect(parameters).toMatchObject({ quality: 'medium', size: '1024x1024', outputFormat: 'png' });
    expect(warnings).toEqual([expect.stringContaining("quality 'standard'"), expect.stringContaining("style 'vivid'")]);
  });

  it.each(models.map((model) => [model.id, model]))(
    'answers PNG when no format is asked on %s, if it makes PNG',
    (_id, model) => {
      const { parameters } = resolveParameters(model, {}, catalog.providerOptions);
      expect(parameters.outputFormat).toBe(
        model.capabilities.outputFormats.includes('png') ? 'png' : parameters.outputFormat,
      );
      expect(model.capabilities.outputFormats).toContain(parameters.outputFormat);
    },
  );
});
