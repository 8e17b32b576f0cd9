import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError, NotFoundError } from '@imagegate/core';
import { type CatalogModel, catalogFileSchema, type RetiredModel } from './catalog-schema.ts';
import { lifecycleStatus } from './lifecycle.ts';
import type { ProviderOptionsSpec } from './provider-options.ts';

const DEFAULT_CATALOG_FILE = new URL('../data/models.json', import.meta.url);

/**
 * Full entries of retired models (GPT Image 1.5 and 1 mini, Imagen 4), marked deprecated: an
 * operator whose upstream still serves one brings it back with `CATALOG_FILE` pointing here (or at
 * a copy of the entries wanted). The adapters and emulators still speak their protocols.
 */
export const RETIRED_MODELS_FILE = fileURLToPath(new URL('../data/retired-models.json', import.meta.url));

const namesOf = (entry: { id: string; owner: string; aliases: string[] }): string[] =>
  [entry.id, `${entry.owner}/${entry.id}`, ...entry.aliases].map((name) => name.toLowerCase());

/** What a model name may be made of: printable ASCII, no whitespace (every catalog name is). */
const MODEL_NAME = /^[\x21-\x7e]{1,200}$/;

/** The model catalog: lookup by id, `owner/id` or alias; lifecycle by the calendar. */
export class Catalog {
  readonly models: readonly CatalogModel[];
  readonly retired: readonly RetiredModel[];
  /** The providers whose `providerOptions` requests may carry (their definitions' option specs). */
  readonly providerOptions: readonly ProviderOptionsSpec[];
  readonly #clock: () => Date;
  readonly #byName = new Map<string, CatalogModel>();
  readonly #retiredByName = new Map<string, RetiredModel>();

  constructor(
    models: readonly CatalogModel[],
    retired: readonly RetiredModel[] = [],
    clock = () => new Date(),
    providerOptions: readonly ProviderOptionsSpec[] = [],
  ) {
    this.models = models;
    this.retired = retired;
    this.providerOptions = providerOptions;
    for (const model of models) checkOptionNames(model, providerOptions);
    this.#clock = clock;
    for (const entry of retired) for (const name of namesOf(entry)) this.#retiredByName.set(name, entry);
    for (const model of models) for (const name of namesOf(model)) this.#byName.set(name, model);
  }

  now(): Date {
    return this.#clock();
  }

  /**
   * The model a request names, or a 404 `model_not_found`; a retired model is a 400 naming its
   * replacement. Names match ignoring ASCII case (`GPT-Image-2` is `gpt-image-2`; the answer names
   * the catalog id); a name with whitespace or control characters is a 400, never trimmed.
   */
  resolve(name: string): CatalogModel {
    if (!MODEL_NAME.test(name)) {
      throw new InvalidRequestError(
        `Invalid model name ${JSON.stringify(name)}: model names are printable ASCII without spaces. GET /v1/models lists them.`,
        { param: 'model', code: 'invalid_value' },
      );
    }
    const key = name.toLowerCase();
    const model = this.#byName.get(key);
    if (model !== undefined && lifecycleStatus(model.lifecycle, this.now()) === 'retired') {
      throw retiredError(name, model.lifecycle.retiresAt, model.lifecycle.replacement);
    }
    if (model !== undefined) return model;
    const retired = this.#retiredByName.get(key);
    if (retired !== undefined) throw retiredError(name, retired.retiredAt, retired.replacement);
    throw new NotFoundError(`The model '${name}' does not exist. GET /v1/models lists the available models.`, {
      param: 'model',
      code: 'model_not_found',
    });
  }

  /** Models a request can use today (not retired), in catalog order. */
  available(): CatalogModel[] {
    const now = this.now();
    return this.models.filter((model) => lifecycleStatus(model.lifecycle, now) !== 'retired');
  }

  /** Provider names that at least one model routes to (one queue each). */
  providers(): string[] {
    return [...new Set(this.models.map((model) => model.provider))];
  }
}

/** A catalog entry may only list options its provider's schema knows: a typo would make the option unusable. */
function checkOptionNames(model: CatalogModel, providers: readonly ProviderOptionsSpec[]): void {
  const spec = providers.find((candidate) => candidate.name === model.provider);
  if (spec === undefined) return;
  for (const name of Object.keys(model.capabilities.providerOptions)) {
    if (!Object.hasOwn(spec.optionsSchema.shape, name)) {
      throw new Error(
        `Catalog model ${model.id} lists the option '${name}', which provider ${spec.name} does not define.`,
      );
    }
  }
}

function retiredError(name: string, on: string | undefined, replacement: string | undefined): InvalidRequestError {
  return new InvalidRequestError(
    `The model '${name}' was retired${on ? ` on ${on}` : ''}.${replacement ? ` Use '${replacement}' instead.` : ''}`,
    { param: 'model', code: 'model_retired' },
  );
}

export interface LoadCatalogOptions {
  /** An operator's catalog file (`CATALOG_FILE`): its entries replace same-id defaults and add new ones. */
  file?: string | undefined;
  /** The date lifecycles are judged against (tests pin it). */
  clock?: (() => Date) | undefined;
  /**
   * The provider definitions (`PROVIDERS` of `@imagegate/providers`): their option keys and schemas
   * validate `providerOptions`. Without them every `providerOptions` key is unknown.
   */
  providers?: readonly ProviderOptionsSpec[] | undefined;
}

export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const defaults = catalogFileSchema.parse(JSON.parse(readFileSync(DEFAULT_CATALOG_FILE, 'utf8')));
  if (options.file === undefined) {
    return new Catalog(defaults.models, defaults.retired, options.clock, options.providers);
  }
  const overrides = catalogFileSchema.parse(JSON.parse(readFileSync(options.file, 'utf8')));
  const models = new Map(defaults.models.map((model) => [model.id, model]));
  const retired = new Map(defaults.retired.map((entry) => [entry.id, entry]));
  for (const model of overrides.models) {
    models.set(model.id, model);
    retired.delete(model.id);
  }
  for (const entry of overrides.retired) {
    retired.set(entry.id, entry);
    models.delete(entry.id);
  }
  return new Catalog([...models.values()], [...retired.values()], options.clock, options.providers);
}
