import {
  type Catalog,
  type CatalogModel,
  deadlineMs,
  deprecationWarning,
  type GenerationParameters,
  type ResolvedParameters,
} from '@imagegate/catalog';
import type { GenerateStepParameters } from '@imagegate/contracts';
import { GatewayError, InvalidRequestError } from '@imagegate/core';

/** One model that may serve a job, with the request narrowed to it. */
export interface RouteStep {
  model: CatalogModel;
  parameters: GenerationParameters;
  /** Said at submission about this model (deprecation, inexact mapping, fallbacks left out). */
  warnings: string[];
}

/**
 * The request narrowed to one model: what the operation's rules make of it (`resolveParameters`
 * for a generation, `resolveEditParameters` for an edit). Throws a 400 when the model cannot serve it.
 */
export type NarrowRequest = (model: CatalogModel) => ResolvedParameters;

/**
 * The models a job may be served by, in order: the requested one, then the request's `fallbacks`
 * (named at `param`), then the requested model's catalog fallbacks. A fallback must exist (a typo
 * is a 400); one that cannot honour the request as asked (an edit on a model that cannot edit), or
 * has no queue, is left out with a warning, since serving something else than was asked is worse
 * than failing.
 */
export function planRoute(
  catalog: Catalog,
  primary: CatalogModel,
  narrow: NarrowRequest,
  fallbacks: { names: readonly string[]; param: string } | undefined,
  hasQueue: (provider: string) => boolean,
): RouteStep[] {
  const { parameters, warnings } = narrow(primary);
  const deprecation = deprecationWarning(primary, catalog.now());
  const route: RouteStep[] = [
    { model: primary, parameters, warnings: deprecation === undefined ? warnings : [deprecation, ...warnings] },
  ];
  const leftOut: string[] = [];
  const candidates = [
    ...(fallbacks?.names ?? []).map((name, index) => ({
      model: resolveFallback(catalog, name, `${fallbacks?.param}[${index}]`),
      name,
    })),
    ...primary.fallbacks.flatMap((name) => {
      try {
        return [{ model: catalog.resolve(name), name }];
      } catch {
        return []; // a catalog default that is gone is not the caller's problem
      }
    }),
  ];
  for (const { model, name } of candidates) {
    if (route.some((step) => step.model.id === model.id)) continue;
    if (!hasQueue(model.provider)) {
      leftOut.push(`Fallback '${name}' was left out: no worker serves provider '${model.provider}'.`);
      continue;
    }
    try {
      const resolved = narrow(model);
      const deprecated = deprecationWarning(model, catalog.now());
      route.push({
        model,
        parameters: resolved.parameters,
        warnings: deprecated === undefined ? resolved.warnings : [deprecated, ...resolved.warnings],
      });
    } catch (error) {
      if (!(error instanceof GatewayError) || error.status !== 400) throw error;
      leftOut.push(`Fallback '${name}' was left out: ${error.message}`);
    }
  }
  for (const step of route) step.warnings.push(...leftOut);
  return route;
}

function resolveFallback(catalog: Catalog, name: string, param: string): CatalogModel {
  try {
    return catalog.resolve(name);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    throw new InvalidRequestError(`Fallback: ${error.message}`, { param, code: error.code });
  }
}

/** What the worker needs of a step, stored on the job (`parameters`, and each `route` entry). */
export function jobParametersOf(step: RouteStep): GenerateStepParameters {
  return {
    ...step.parameters,
    providerModel: step.model.providerModel,
    protocol: step.model.protocol,
    imagesPerCall: step.model.capabilities.maxImagesPerCall,
    deadlineMs: deadlineMs(step.model, step.parameters),
    warnings: step.warnings,
  };
}
