import type { Catalog } from '@imagegate/catalog';
import { Router } from 'express';

/** `GET /v1/models`: the OpenAI list shape, extended with aliases, capabilities, pricing and lifecycle. */
export function modelsRouter(catalog: Catalog): Router {
  const router = Router();
  const created = Math.floor(Date.now() / 1000);
  router.get('/v1/models', (_request, response) => {
    response.json({
      object: 'list',
      data: catalog.models.map((model) => ({
        id: model.id,
        object: 'model',
        created,
        owned_by: model.owner,
        aliases: [`${model.owner}/${model.id}`, ...model.aliases],
        capabilities: model.capabilities,
        pricing: model.pricing,
        lifecycle: model.lifecycle,
      })),
    });
  });
  return router;
}
