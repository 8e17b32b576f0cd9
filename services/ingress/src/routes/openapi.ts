import { Router } from 'express';
import type { ApiRoute } from '../openapi/api-route.ts';
import { openApiDocument } from '../openapi/openapi-document.ts';

/** The API's version in the OpenAPI document (the `/v1` of the paths is the wire version). */
const API_DOCUMENT_VERSION = '1.0.0';

/** `GET /v1/openapi.json`: the OpenAPI 3.1 document of `routes`, built once on first request. No key needed. */
export function openApiRouter(routes: readonly ApiRoute[]): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/v1/openapi.json', (_request, response) => {
    document ??= JSON.stringify(openApiDocument(routes, { version: API_DOCUMENT_VERSION }));
    response.type('application/json').send(document);
  });
  return router;
}
