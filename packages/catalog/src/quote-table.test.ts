import { microsToUsd } from '@imagegate/core';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.ts';
import { parseSize } from './image-shape.ts';
import { freezePrices, maxUnitPrice, unitPriceAt } from './pricing.ts';
import { openaiImageOutputTokens } from './token-formula.ts';

const catalog = loadCatalog();

/** Our list price (before markup, empty prompt) of one image of `size` at `quality`. */
const quoted = (model: string, size: string, quality: string): number =>
  microsToUsd(unitPriceAt(freezePrices(catalog.resolve(model)), parseSize(size), quality));

/**
 * The upstreams' published per-image figures (USD), and where they come from. Where the upstream
 * publishes none, the figure is left out rather than pinned to our own guess (see the notes).
 */
const PUBLISHED: readonly [model: string, size: string, quality: string, usd: number, source: string][] = [
  // OpenAI's examples for gpt-image-2 (quoted by yingtu.ai), and the calculator formula's table.
  ['gpt-image-2', '1024x1024', 'low', 0.006, 'OpenAI'],
  ['gpt-image-2', '1024x1024', 'medium', 0.053, 'OpenAI'],
  ['gpt-image-2', '1024x1024', 'high', 0.211, 'OpenAI'],
  ['gpt-image-2', '1024x1536', 'low', 0.005, 'OpenAI'],
  ['gpt-image-2', '1024x1536', 'medium', 0.041, 'OpenAI'],
  ['gpt-image-2', '1536x1024', 'high', 0.165, 'OpenAI'],
  ['gpt-image-2', '1536x864', 'high', 0.129, 'calculator'],
  ['gpt-image-2', '2048x2048', 'high', 0.428, 'calculator'],
  ['gpt-image-2', '2560x1440', 'medium', 0.055, 'calculator'],
  ['gpt-image-2', '3840x2160', 'high', 0.4, 'calculator'],
  // 2.5 and 2.6 share gpt-image-2's rates; 2.6 high "the same" (laozhang).
  ['gpt-image-2.5-sunburst', '1024x1024', 'high', 0.211, 'shared rates'],
  ['gpt-image-2.5-flare', '1536x1024', 'medium', 0.041, 'shared rates'],
  ['gpt-image-2.6-sunburst', '1024x1024', 'high', 0.211, 'shared rates'],
  ['gpt-image-2.6-flare', '1536x1024', 'high', 0.165, 'shared rates'],
  // Google: output tokens × rate.
  ['gemini-nano-banana-2.1', '1024x1024', 'default', 0.0336, 'resellers quoting Google'],
  ['gemini-nano-banana-2.1', '4096x4096', 'default', 0.1134, 'resellers quoting Google'],
  ['gemini-3-pro-image', '1024x1024', 'default', 0.134, 'Google'],
  ['gemini-3-pro-image', '2048x2048', 'default', 0.134, 'Google'],
  ['gemini-3-pro-image', '4096x4096', 'default', 0.24, 'Google'],
  ['gemini-3.1-flash-image', '512x512', 'default', 0.045, 'Google'],
  ['gemini-3.1-flash-image', '1024x1024', 'default', 0.067, 'Google'],
  ['gemini-3.1-flash-image', '2048x2048', 'default', 0.101, 'Google'],
  ['gemini-3.1-flash-image', '4096x4096', 'default', 0.151, 'Google'],
  ['gemini-2.5-flash-image', '1024x1024', 'default', 0.039, 'Google'],
  // BFL: the first megapixel, then each further one.
  ['flux-2-pro', '1024x1024', 'default', 0.03, 'BFL'],
  ['flux-2-pro', '2048x2048', 'default', 0.075, 'BFL'],
  ['flux-2-max', '1024x1024', 'default', 0.07, 'BFL'],
  ['flux-2-flex', '1024x1024', 'default', 0.05, 'BFL'],
  ['flux-2-klein-4b', '1024x1024', 'default', 0.014, 'BFL'],
  ['flux-2-klein-9b', '1024x1024', 'default', 0.015, 'BFL'],
  ['flux-3-image', '1024x1024', 'default', 0.048, 'Vercel AI Gateway, fal'],
  ['flux-kontext-pro', '1024x1024', 'default', 0.04, 'BFL'],
  ['flux-kontext-max', '1024x1024', 'default', 0.08, 'BFL'],
  ['flux-pro-1.1', '1024x768', 'default', 0.04, 'BFL'],
  ['flux-pro-1.0-fill', '1024x1024', 'default', 0.05, 'BFL'],
];

describe('the quote table', () => {
  it.each(PUBLISHED)('quotes %s at %s %s within a cent of %d (%s)', (model, size, quality, usd) => {
    expect(Math.abs(quoted(model, size, quality) - usd)).toBeLessThan(0.01);
  });

  it('pins every model of the catalog, so a new one cannot go unpriced', () => {
    const pinned = new Set(PUBLISHED.map(([model]) => model));
    const unpublished = ['gemini-3.1-flash-lite-image']; // no official price: quoted at resellers' dearest
    for (const model of catalog.available()) {
      if (!unpublished.includes(model.id)) expect(pinned, model.id).toContain(model.id);
    }
  });

  it('reproduces the token counts OpenAI’s calculator gives (7,024 at 1024² high, 5,488 at 1536×1024 high)', () => {
    expect(openaiImageOutputTokens(96, 1024, 1024)).toBe(7024);
    expect(openaiImageOutputTokens(96, 1536, 1024)).toBe(5488);
  });

  it('quotes auto quality as the dearest the model may pick: high on gpt-image-2, max on 2.5', () => {
    const autoOf = (id: string) => {
      const model = catalog.resolve(id);
      return maxUnitPrice(model, freezePrices(model), { size: '1024x1024', quality: 'auto' });
    };
    expect(microsToUsd(autoOf('gpt-image-2'))).toBeCloseTo(quoted('gpt-image-2', '1024x1024', 'high'), 6);
    expect(microsToUsd(autoOf('gpt-image-2.5-sunburst'))).toBeCloseTo(
      quoted('gpt-image-2.5-sunburst', '1024x1024', 'max'),
      6,
    );
  });

  it('adds the prompt’s text tokens to a token-priced quote', () => {
    const model = catalog.resolve('gpt-image-2');
    const bare = maxUnitPrice(model, freezePrices(model), { size: '1024x1024', quality: 'low' });
    const long = maxUnitPrice(model, freezePrices(model, { prompt: 'x'.repeat(3000) }), {
      size: '1024x1024',
      quality: 'low',
    });
    // 1,000 tokens (3 bytes each, on the dear side) at USD 5 per million.
    expect(long - bare).toBe(5_000n);
  });

  it('prices a square above a wide image of about as many pixels (token cost is not monotonic in area)', () => {
    expect(quoted('gpt-image-2', '1024x1024', 'high')).toBeGreaterThan(quoted('gpt-image-2', '1536x864', 'high'));
  });
});
