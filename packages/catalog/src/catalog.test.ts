import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.ts';
import { deprecationWarning, lifecycleStatus } from './lifecycle.ts';
import { freezePrices, maxUnitPrice, quote } from './pricing.ts';

const on = (date: string) => () => new Date(`${date}T12:00:00Z`);

describe('Catalog.resolve', () => {
  const catalog = loadCatalog();

  it.each([
    ['gpt-image-2', 'gpt-image-2'],
    ['OpenAI/GPT-Image-2', 'gpt-image-2'],
    ['gpt-image-2-2026-04-21', 'gpt-image-2'],
    ['imagen-4-flash', 'imagen-4.0-fast-generate-001'],
    ['imagen-4-0', 'imagen-4.0-generate-001'],
    ['imagen-4-ultra', 'imagen-4.0-ultra-generate-001'],
    ['google/imagen-4.0-ultra-generate-001', 'imagen-4.0-ultra-generate-001'],
    ['google/imagen-4-ultra', 'imagen-4.0-ultra-generate-001'],
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

  it('marks Imagen 4 and Gemini 2.5 Flash Image deprecated today, and the GA Gemini 3 models active', () => {
    const now = new Date('2026-11-21T00:00:00Z');
    const status = (name: string) => lifecycleStatus(catalog.resolve(name).lifecycle, now);
    expect(status('imagen-4-ultra')).toBe('deprecated');
    expect(status('gemini-2.5-flash-image')).toBe('deprecated');
    expect(status('gemini-3-pro-image')).toBe('active');
    expect(deprecationWarning(catalog.resolve('imagen-4-ultra'), now)).toContain("Use 'gemini-3-pro-image' instead.");
  });
});

describe('prices of the Google and BFL models', () => {
  const catalog = loadCatalog();
  const unit = (name: string, size: string) => {
    const model = catalog.resolve(name);
    return maxUnitPrice(model, freezePrices(model), { size, quality: 'auto' });
  };

  it.each([
    ['imagen-4-flash', '1024x1024', 20_000n],
    ['imagen-4-ultra', '2816x1536', 60_000n],
    ['gemini-2.5-flash-image', '1024x1024', 39_000n],
    ['gemini-3-pro-image', '2048x2048', 134_000n],
    ['gemini-3-pro-image', '4096x4096', 240_000n],
    ['gemini-3.1-flash-image', '512x512', 45_000n],
    ['gemini-3.1-flash-image', '1024x1024', 67_000n],
    ['flux-2-pro', '896x896', 30_000n],
    ['flux-2-pro', '1024x1024', 45_000n],
    ['flux-2-pro', '2048x2048', 90_000n],
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
