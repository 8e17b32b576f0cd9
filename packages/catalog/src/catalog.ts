import { readFileSync } from 'node:fs';
import { InvalidRequestError, NotFoundError } from '@imagegate/core';
import { type CatalogModel, catalogFileSchema } from './catalog-schema.ts';

const DEFAULT_CATALOG_FILE = new URL('../data/models.json', import.meta.url);

/** The model catalog: lookup by id, `owner/id` or alias. */
export class Catalog {
  readonly models: readonly CatalogModel[];
  readonly #byName = new Map<string, CatalogModel>();

  constructor(models: readonly CatalogModel[]) {
    this.models = models;
    for (const model of models) {
      for (const name of [model.id, `${model.owner}/${model.id}`, ...model.aliases]) {
        this.#byName.set(name.toLowerCase(), model);
      }
    }
  }

  /** The model a request names, or a 404 `model_not_found`; a retired model is a 400 naming its replacement. */
  resolve(name: string): CatalogModel {
    const model = this.#byName.get(name.toLowerCase());
    if (model === undefined) {
      throw new NotFoundError(`The model '${name}' does not exist. GET /v1/models lists the available models.`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    if (model.lifecycle.status === 'retired') {
      const replacement = model.lifecycle.replacement;
      throw new InvalidRequestError(
        `The model '${name}' was retired${model.lifecycle.retiresAt ? ` on ${model.lifecycle.retiresAt}` : ''}.` +
          (replacement ? ` Use '${replacement}' instead.` : ''),
        { param: 'model', code: 'model_retired' },
      );
    }
    return model;
  }

  /** Provider names that at least one model routes to (one queue each). */
  providers(): string[] {
    return [...new Set(this.models.map((model) => model.provider))];
  }
}

export interface LoadCatalogOptions {
  /** An operator's catalog file (`CATALOG_FILE`): its models replace same-id defaults and add new ones. */
  file?: string | undefined;
}

export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const defaults = catalogFileSchema.parse(JSON.parse(readFileSync(DEFAULT_CATALOG_FILE, 'utf8')));
  if (options.file === undefined) return new Catalog(defaults.models);
  const overrides = catalogFileSchema.parse(JSON.parse(readFileSync(options.file, 'utf8')));
  const byId = new Map(defaults.models.map((model) => [model.id, model]));
  for (const model of overrides.models) byId.set(model.id, model);
  return new Catalog([...byId.values()]);
}
