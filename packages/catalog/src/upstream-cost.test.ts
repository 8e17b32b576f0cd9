import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.ts';
import { freezePrices } from './pricing.ts';
import { upstreamCostOf } from './upstream-cost.ts';

const catalog = loadCatalog();
const jobOf = (model: string, result: Parameters<typeof upstreamCostOf>[0]['result'], images = 1) => ({
  model,
  prices: { [model]: freezePrices(catalog.resolve(model)) },
  images: Array.from({ length: images }, () => ({})),
  result,
});

describe('upstreamCostOf', () => {
  it('prices OpenAI’s reported usage at the frozen token rates, SVG author tokens included', () => {
    const cost = upstreamCostOf(
      jobOf('gpt-image-2.6-sunburst', {
        size: '1024x1024',
        quality: 'high',
        usage: {
          input_tokens: 1000,
          input_tokens_details: { text_tokens: 1000, image_tokens: 0 },
          output_tokens: 7024,
          svg_usage: { input_tokens: 200, output_tokens: 800 },
        },
      }),
    );
    // 1,000 text tokens at $5/M + 7,024 image tokens at $30/M + 1,000 SVG tokens at $5/M.
    expect(cost).toEqual({ micros: 5_000n + 210_720n + 5_000n, basis: 'reported' });
  });

  it('takes BFL’s reported cost in credits', () => {
    expect(
      upstreamCostOf(jobOf('flux-2-pro', { size: '1024x1024', quality: 'standard', usage: { cost: 4.5 } })),
    ).toEqual({
      micros: 45_000n,
      basis: 'reported',
    });
  });

  it('estimates from the catalog’s rule for what was made when the upstream reports nothing', () => {
    expect(upstreamCostOf(jobOf('gemini-3-pro-image', { size: '4096x4096', quality: 'auto' }, 2))).toEqual({
      micros: 480_000n,
      basis: 'estimated',
    });
  });
});
