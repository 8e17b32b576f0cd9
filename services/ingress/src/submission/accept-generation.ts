import { type CatalogModel, type PricingInputs, type RequestedParameters, resolveParameters } from '@imagegate/catalog';
import type { GenerateJobRequest, GenerationRequest } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import type { IngressDeps } from '../deps.ts';
import { type Acceptance, type Answering, acceptJob, firstStep, type SubmissionDeps } from './accept-job.ts';
import { jobParametersOf, planRoute, type RouteStep } from './plan-route.ts';

/**
 * Accepts `POST /v1/images/generations` for an account: plans the route (the model, its
 * fallbacks, the request narrowed to each), then records, holds, enqueues and waits (`acceptJob`).
 */
export async function acceptGeneration(
  deps: SubmissionDeps,
  submission: { accountId: string; body: GenerationRequest; rawBody: unknown; idempotencyKey: string | undefined },
  answering: Answering,
): Promise<Acceptance> {
  const { body } = submission;
  const route = planGenerationRoute(deps, body);
  return acceptJob(
    deps,
    {
      accountId: submission.accountId,
      route,
      pricingInputs: pricingInputsOf(body),
      operationFor: (webhookUrl) => ({
        operation: 'generate',
        request: requestEcho(body, route, webhookUrl),
        parameters: stepParameters(route, 0),
        route: routeEntriesOf(route),
      }),
      responseFormat: body.response_format ?? 'b64_json',
      metadata: body.metadata,
      webhookUrl: body.webhookUrl,
      rawBody: submission.rawBody,
      idempotencyKey: submission.idempotencyKey,
    },
    answering,
  );
}

/** The models a generation may be served by, the request narrowed to each (a 400 when the model cannot). */
export function planGenerationRoute(
  deps: Pick<IngressDeps, 'catalog' | 'queues'>,
  body: RequestedParameters & Pick<GenerationRequest, 'model' | 'fallbacks' | 'fallbacksField'>,
): RouteStep[] {
  return planRoute(
    deps.catalog,
    deps.catalog.resolve(body.model),
    (model) => {
      if (model.capabilities.editsOnly) throw editsOnly(model);
      return resolveParameters(model, body, deps.catalog.providerOptions);
    },
    body.fallbacks && { names: body.fallbacks, param: body.fallbacksField },
    (provider) => deps.queues.has(provider),
  );
}

/**
 * What a request brings that the upstream bills besides its parameters: the prompt's tokens, the
 * partial images of a stream, an edit's input images (the mask included) by their decoded size.
 */
export function pricingInputsOf(
  body: Pick<GenerationRequest, 'stream' | 'partial_images'> & { prompt?: string | undefined },
  inputImages?: readonly { width: number; height: number }[],
): PricingInputs {
  return {
    prompt: body.prompt,
    ...(inputImages === undefined ? {} : { inputImages }),
    partialImages: body.stream ? body.partial_images : undefined,
  };
}

/** A model that only edits (FLUX Fill) makes nothing from a prompt alone. */
function editsOnly(model: CatalogModel): InvalidRequestError {
  return new InvalidRequestError(
    `${model.id} only edits an input image; send it to POST /v1/images/edits with the image (and a mask).`,
    { param: 'model', code: 'model_not_supported' },
  );
}

export function stepParameters(route: readonly RouteStep[], index: number) {
  const step = route[index];
  if (step === undefined) throw new Error(`the route has no step ${index}`);
  return jobParametersOf(step);
}

/** Every step of the route as the job stores it; empty for a route of one model. */
export function routeEntriesOf(route: readonly RouteStep[]) {
  if (route.length === 1) return [];
  return route.map((step, index) => ({
    model: step.model.id,
    provider: step.model.provider,
    parameters: stepParameters(route, index),
  }));
}

/**
 * The request as the job shows it: what the client sent, `n`, `size` and `quality` as resolved (a
 * DALL·E `standard` shows as the quality it became, so every echoed value is one the model takes;
 * the ignored `style` is left out), fallbacks by id.
 */
export function requestEcho(
  body: Omit<GenerationRequest, 'style'> & Partial<Pick<GenerationRequest, 'style'>>,
  route: readonly RouteStep[],
  webhookUrl: string | undefined,
): GenerateJobRequest {
  const {
    providerOptionsField: _providerOptionsField,
    fallbacks: _fallbacks,
    fallbacksField: _fallbacksField,
    webhookUrl: _webhookUrl,
    metadata: _metadata,
    style: _style,
    ...fields
  } = body;
  const primary = firstStep(route).parameters;
  return {
    ...fields,
    n: primary.n,
    size: primary.size,
    ...(fields.quality === undefined ? {} : { quality: primary.quality }),
    webhook_url: webhookUrl,
    ...(route.length > 1 ? { fallbacks: route.slice(1).map((step) => step.model.id) } : {}),
  };
}
