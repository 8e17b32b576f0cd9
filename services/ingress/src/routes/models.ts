import {
  type CatalogModel,
  lifecycleStatus,
  markupFor,
  pixelTiers,
  priceExamples,
  withMarkup,
} from '@imagegate/catalog';
import { microsToUsd, usdToMicros } from '@imagegate/core';
import { spendLast90Days } from '@imagegate/db';
import { type Response, Router } from 'express';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The catalog's camelCase data in the API's snake_case. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeCase(key), snakeKeys(inner)]));
}

/** List prices by quality at a markup. */
function atMarkup(usd: Record<string, number>, markupPermille: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(usd).map(([quality, each]) => [quality, microsToUsd(withMarkup(usdToMicros(each), markupPermille))]),
  );
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the OpenAI list shape, extended with aliases,
 * capabilities, lifecycle and prices — per image, at the caller's current markup, next to the list price.
 */
export function modelsRouter(deps: IngressDeps): Router {
  const router = Router();
  const { catalog, pool, settings } = deps;
  const created = Math.floor(Date.now() / 1000);

  async function callerMarkupPermille(response: Response): Promise<number> {
    const spend = await spendLast90Days(pool, callerOf(response).accountId);
    return markupFor(spend, settings.markupTiers).current.permille;
  }

  function describe(model: CatalogModel, markupPermille: number, now: Date) {
    const { providerOptions, ...capabilities } = model.capabilities;
    return {
      id: model.id,
      object: 'model',
      created,
      owned_by: model.owner,
      description: model.description,
      aliases: [`${model.owner}/${model.id}`, ...model.aliases],
      capabilities: {
        ...(snakeKeys(capabilities) as object),
        provider_options: Object.keys(providerOptions),
        // Every image model answers on /v1/chat/completions: the last user message is the prompt (its images the inputs).
        chat: model.capabilities.editsOnly ? 'with an image in the last user message' : 'yes',
      },
      pricing: {
        currency: 'USD',
        markup: markupPermille / 1000,
        /** How the upstream bills: `per_image`, `per_megapixel` or `per_token`. */
        rule: model.pricing.rule,
        note: model.pricing.note ?? null,
        ...(model.pricing.rule === 'per_token' ? { token_rates_usd_per_million: snakeKeys(model.pricing.rates) } : {}),
        tiers: pixelTiers(model).map((tier) => ({
          max_pixels: tier.maxPixels,
          per_image_usd: atMarkup(tier.usd, markupPermille),
          list_per_image_usd: tier.usd,
        })),
        examples: priceExamples(model).map((example) => ({
          size: example.size,
          quality: example.quality,
          per_image_usd: microsToUsd(withMarkup(usdToMicros(example.usd), markupPermille)),
          list_per_image_usd: example.usd,
        })),
      },
      lifecycle: {
        status: lifecycleStatus(model.lifecycle, now),
        deprecated_at: model.lifecycle.deprecatedAt ?? null,
        retires_at: model.lifecycle.retiresAt ?? null,
        replacement: model.lifecycle.replacement ?? null,
        note: model.lifecycle.note ?? null,
      },
    };
  }

  router.get('/v1/models', async (_request, response) => {
    const markupPermille = await callerMarkupPermille(response);
    const now = catalog.now();
    response.json({
      object: 'list',
      data: catalog.available().map((model) => describe(model, markupPermille, now)),
    });
  });

  router.get('/v1/models/*name', async (request, response) => {
    const name = ([] as string[]).concat(request.params.name ?? []).join('/');
    // Ids, owner/id forms and aliases all resolve; a retired model is a 400 naming its replacement.
    const model = catalog.resolve(name);
    response.json(describe(model, await callerMarkupPermille(response), catalog.now()));
  });
  return router;
}
