import type { Catalog } from './catalog.ts';
import type { UpstreamListing } from './catalog-check.ts';

/** BFL endpoints known beyond the catalog's own, probed to learn whether the catalog lacks them. */
const KNOWN_BFL_ENDPOINTS = ['flux-3-image', 'flux-pro-1.0-fill', 'flux-pro-1.0-expand', 'flux-pro-1.1-ultra'];

/** Image model ids on OpenAI's `GET /v1/models`. */
const OPENAI_IMAGE_MODEL = /^(gpt-image|chatgpt-image|dall-e)/;

async function json(response: Response, what: string): Promise<unknown> {
  if (!response.ok) throw new Error(`${what} answered ${response.status}`);
  return response.json();
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAI's `GET /v1/models`, image models only. `baseURL` ends in `/v1`. */
export async function listOpenAIModels(baseURL: string, apiKey: string): Promise<UpstreamListing> {
  const body = await json(
    await fetch(`${baseURL.replace(/\/+$/, '')}/models`, { headers: { authorization: `Bearer ${apiKey}` } }),
    'OpenAI GET /v1/models',
  );
  const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
  const ids = data.flatMap((entry) => (isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : []));
  return { protocol: 'openai-images', served: ids.filter((id) => OPENAI_IMAGE_MODEL.test(id)) };
}

/** The Gemini API's `models.list`, every page, image models only. */
export async function listGeminiModels(baseURL: string, apiKey: string): Promise<UpstreamListing> {
  const served: string[] = [];
  let pageToken: string | undefined;
  do {
    const url = new URL(`${baseURL.replace(/\/+$/, '')}/v1beta/models`);
    url.searchParams.set('pageSize', '1000');
    if (pageToken !== undefined) url.searchParams.set('pageToken', pageToken);
    const body = await json(await fetch(url, { headers: { 'x-goog-api-key': apiKey } }), 'Gemini models.list');
    const models = isRecord(body) && Array.isArray(body.models) ? body.models : [];
    for (const model of models) {
      const name = isRecord(model) && typeof model.name === 'string' ? model.name.replace(/^models\//, '') : '';
      // Image models say so in their names (`…-image`, `imagen-…`, `…-nano-banana-…`).
      if (/image|banana/.test(name)) served.push(name);
    }
    pageToken = isRecord(body) && typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined;
  } while (pageToken !== undefined);
  return { protocol: 'gemini', served };
}

/**
 * BFL has no model list: each endpoint (the catalog's and the known new ones) is sent an empty
 * body, which a served endpoint refuses with 422 (unbilled) and an unknown one answers 404.
 */
export async function probeBflEndpoints(catalog: Catalog, baseURL: string, apiKey: string): Promise<UpstreamListing> {
  const ours = catalog.models.filter((model) => model.protocol === 'bfl-flux').map((model) => model.providerModel);
  const probed = [...new Set([...ours, ...KNOWN_BFL_ENDPOINTS])];
  const answers = await Promise.all(
    probed.map(async (endpoint) => {
      const response = await fetch(`${baseURL.replace(/\/+$/, '')}/v1/${endpoint}`, {
        method: 'POST',
        headers: { 'x-key': apiKey, 'content-type': 'application/json' },
        body: '{}',
      });
      await response.body?.cancel();
      if (response.status === 401 || response.status === 403)
        throw new Error(`BFL refused the key (${response.status})`);
      return response.status === 404 ? [] : [endpoint];
    }),
  );
  return { protocol: 'bfl-flux', served: answers.flat(), probed };
}
