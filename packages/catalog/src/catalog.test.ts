import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, RETIRED_MODELS_FILE } from './catalog.ts';
import { deprecationWarning, lifecycleStatus } from './lifecycle.ts';
import { freezePrices, maxUnitPrice, quote } from './pricing.ts';

const on = (date: string) => () => new Date(`${date}T12:00:00Z`);

describe('Catalog.resolve', () => {
  const catalog = loadCatalog();

  it.each([
    ['gpt-image-2', 'gpt-image-2'],
    ['OpenAI/GPT-Image-2', 'gpt-image-2'],
    ['gpt-image-2-2026-04-21', 'gpt-image-2'],
    ['gpt-image-2.5-sunburst-2026-09-08', 'gpt-image-2.5-sunburst'],
    ['openai/gpt-image-2.6-flare', 'gpt-image-2.6-flare'],
    ['nano-banana-2.1', 'gemini-nano-banana-2.1'],
    ['gemini-3.1-flash-lite-image', 'gemini-3.1-flash-lite-image'],
    ['bfl/flux-2-klein-4b', 'flux-2-klein-4b'],
    ['flux-2-klein-9b', 'flux-2-klein-9b'],
    ['google/gemini-3-pro-image', 'gemini-3-pro-image'],
    ['gemini-2.5-flash-image', 'gemini-2.5-flash-image'],
    ['gemini-3.1-flash-image', 'gemini-3.1-flash-image'],
    ['bfl/flux-2-pro', 'flux-2-pro'],
    ['flux-2-flex', 'flux-2-flex'],
    ['bfl/flux-kontext-pro', 'flux-kontext-pro'],
    ['flux-kontext-max', 'flux-kontext-max'],
    ['bfl/flux-pro-1.1', 'flux-pro-1.1'],
  ])('finds %s', (name, id) => {
    expect(catalog.resolve(name).id).toBe(id);
  });

  it('answers 404 model_not_found for an unknown model', () => {
    expect(() => catalog.resolve('dall-e-9')).toThrow(
      expect.objectContaining({ status: 404, code: 'model_not_found', param: 'model' }),
    );
  });

  it('answers 400 naming the replacement for a retired model', () => {
    expect(() => catalog.resolve('gemini-3-pro-image-preview')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'model_retired',
        param: 'model',
        message: expect.stringContaining("Use 'gemini-3-pro-image' instead"),
      }),
    );
  });

  it.each([
    ['gpt-image-1.5', 'gpt-image-2.6-sunburst'],
    ['gpt-image-1.5-2025-12-16', 'gpt-image-2.6-sunburst'],
    ['gpt-image-1-mini', 'gpt-image-2.6-flare'],
    ['chatgpt-image-latest', 'gpt-image-2.6-sunburst'],
    ['gpt-image-1', 'gpt-image-2.5-sunburst'],
    ['dall-e-3', 'gpt-image-2.6-sunburst'],
    ['DALL-E-2', 'gpt-image-2.6-flare'],
    ['imagen-4-0', 'gemini-nano-banana-2.1'],
    ['google/imagen-4-flash', 'gemini-nano-banana-2.1'],
    ['imagen-4.0-ultra-generate-001', 'gemini-3-pro-image'],
  ])('answers 400 model_retired for %s, naming %s', (name, replacement) => {
    expect(() => catalog.resolve(name)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'model_retired',
        param: 'model',
        message: expect.stringContaining(`Use '${replacement}' instead`),
      }),
    );
  });

  it('cites a source in the note of every model and every retired entry', () => {
    for (const entry of [...catalog.models.map((model) => model.lifecycle), ...catalog.retired]) {
      expect(entry.note ?? '', JSON.stringify(entry)).toMatch(/[a-z]+\.[a-z]{2,}|openai npm|third part/i);
    }
  });

  it('brings a retired model back from an operator file, deprecated with its replacement', () => {
    const revived = loadCatalog({ file: RETIRED_MODELS_FILE });
    expect(revived.resolve('gpt-image-1.5').id).toBe('gpt-image-1.5');
    expect(deprecationWarning(revived.resolve('imagen-4-ultra'), new Date())).toContain(
      "Use 'gemini-3-pro-image' instead.",
    );
    expect(revived.retired.map((entry) => entry.id)).not.toContain('gpt-image-1.5');
  });

  it('retires a model by the calendar: active, then deprecated, then retired', () => {
    const directory = mkdtempSync(join(tmpdir(), 'catalog-'));
    const file = join(directory, 'models.json');
    const base = loadCatalog().resolve('flux-2-pro');
    writeFileSync(
      file,
      JSON.stringify({
        models: [
          {
            ...base,
            id: 'flux-old',
            aliases: [],
            lifecycle: { deprecatedAt: '2026-01-01', retiresAt: '2026-03-01', replacement: 'flux-2-pro' },
          },
        ],
      }),
    );
    expect(loadCatalog({ file, clock: on('2025-12-31') }).resolve('flux-old').id).toBe('flux-old');
    const deprecated = loadCatalog({ file, clock: on('2026-02-01') }).resolve('flux-old');
    expect(deprecationWarning(deprecated, on('2026-02-01')())).toBe(
      "flux-old is deprecated and will be retired on 2026-03-01. Use 'flux-2-pro' instead.",
    );
    expect(() => loadCatalog({ file, clock: on('2026-03-01') }).resolve('flux-old')).toThrow(
      expect.objectContaining({ status: 400, code: 'model_retired', message: expect.stringContaining('2026-03-01') }),
    );
    expect(
      loadCatalog({ file, clock: on('2026-03-01') })
        .available()
        .map((model) => model.id),
    ).not.toContain('flux-old');
  });

  it('marks Gemini 3.1 Flash Image and 2.5 Flash Image deprecated today, and the GA Gemini models active', () => {
    const now = new Date('2026-12-03T00:00:00Z');
    const status = (name: string) => lifecycleStatus(catalog.resolve(name).lifecycle, now);
    expect(status('gemini-3.1-flash-image')).toBe('deprecated');
    expect(status('gemini-2.5-flash-image')).toBe('deprecated');
    expect(status('gemini-3-pro-image')).toBe('active');
    expect(status('gemini-nano-banana-2.1')).toBe('active');
    expect(deprecationWarning(catalog.resolve('gemini-3.1-flash-image'), now)).toContain(
      "Use 'gemini-nano-banana-2.1' instead.",
    );
  });
});

describe('prices of the Google and BFL models', () => {
  const catalog = loadCatalog({ file: RETIRED_MODELS_FILE });
  const unit = (name: string, size: string) => {
    const model = catalog.resolve(name);
    return maxUnitPrice(model, freezePrices(model), { size, quality: 'auto' });
  };

  it.each([
    ['imagen-4-flash', '1024x1024', 20_000n],
    ['imagen-4-ultra', '2816x1536', 60_000n],
    // Token-priced: output tokens per resolution class × the image output rate.
    ['gemini-2.5-flash-image', '1024x1024', 38_700n],
    ['gemini-3-pro-image', '2048x2048', 134_400n],
    ['gemini-3-pro-image', '4096x4096', 240_000n],
    ['gemini-3.1-flash-image', '512x512', 44_820n],
    ['gemini-3.1-flash-image', '1024x1024', 67_200n],
    ['gemini-nano-banana-2.1', '1024x1024', 33_600n],
    ['gemini-nano-banana-2.1', '4096x4096', 113_400n],
    // Per megapixel: the first, then each further one started.
    ['flux-2-flex', '1024x1024', 50_000n],
    ['flux-2-flex', '1920x1088', 100_000n],
    ['flux-2-klein-4b', '1024x1024', 14_000n],
    ['flux-2-pro', '896x896', 30_000n],
    // 1024×1024 is BFL's "1 MP"; 2048×2048 four.
    ['flux-2-pro', '1024x1024', 30_000n],
    ['flux-2-pro', '1040x1040', 45_000n],
    ['flux-2-pro', '2048x2048', 75_000n],
    ['flux-kontext-max', '1376x768', 80_000n],
  ])('%s at %s costs %d micro-USD per image', (name, size, micros) => {
    expect(unit(name, size)).toBe(micros);
  });

  it('holds n images at the markup', () => {
    const model = catalog.resolve('imagen-4-0');
    expect(
      quote(model, { n: 3, size: '1024x1024', quality: 'auto', background: 'auto', outputFormat: 'png' }, 1500),
    ).toEqual({
      unitMicros: 40_000n,
      perImageMicros: 60_000n,
      holdMicros: 180_000n,
    });
  });
});
