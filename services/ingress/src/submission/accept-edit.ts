import {
  type EditInputShapes,
  editCapabilitiesOf,
  type RequestedParameters,
  resolveEditParameters,
} from '@imagegate/catalog';
import type { EditRequest } from '@imagegate/contracts';
import type { IngressDeps } from '../deps.ts';
import { inputImageOf, type StoredInputImage, withMask } from '../inputs/store-input-image.ts';
import { pricingInputsOf, requestEcho, routeEntriesOf, stepParameters } from './accept-generation.ts';
import { type Acceptance, type Answering, acceptJob, type SubmissionDeps } from './accept-job.ts';
import { planRoute, type RouteStep } from './plan-route.ts';

/**
 * The models an edit may be served by: those that can edit with inputs of these shapes (count,
 * size, mask), the request narrowed to each (a 400 naming the part the model cannot take).
 */
export function planEditRoute(
  deps: Pick<IngressDeps, 'catalog' | 'queues'>,
  body: RequestedParameters & Pick<EditRequest, 'model' | 'fallbacks' | 'fallbacksField'>,
  shapes: EditInputShapes,
): RouteStep[] {
  const editors = deps.catalog.models.filter((model) => model.capabilities.edits !== false);
  return planRoute(
    deps.catalog,
    deps.catalog.resolve(body.model),
    (model) =>
      resolveEditParameters(model, editCapabilitiesOf(model, editors), body, shapes, deps.catalog.providerOptions),
    body.fallbacks && { names: body.fallbacks, param: body.fallbacksField },
    (provider) => deps.queues.has(provider),
  );
}

/** An edit's inputs, already stored under the job id they were read for. */
export interface EditInputsToAccept {
  images: readonly StoredInputImage[];
  mask?: StoredInputImage | undefined;
  /** The part names used in errors: `image[2]` (multipart) or `images[2].image_url` (JSON). */
  imageParam: (index: number) => string;
  maskParam: string;
}

/**
 * Accepts `POST /v1/images/edits` once its inputs are stored: plans the route among models that can
 * edit with these inputs (count, size, mask), prices the inputs from their decoded sizes, then
 * records, holds, enqueues and waits like any job (`acceptJob`). The job gets `jobId`, under which
 * the inputs were stored.
 */
export async function acceptEdit(
  deps: SubmissionDeps,
  submission: {
    jobId: string;
    accountId: string;
    body: EditRequest;
    inputs: EditInputsToAccept;
    /** What identifies the request for `Idempotency-Key`: its fields and each image's sha256. */
    identity: unknown;
    idempotencyKey: string | undefined;
  },
  answering: Answering,
): Promise<Acceptance> {
  const { body, inputs } = submission;
  const route = planEditRoute(deps, body, {
    images: inputs.images.map((image, index) => ({
      width: image.width,
      height: image.height,
      param: inputs.imageParam(index),
    })),
    mask: inputs.mask === undefined ? undefined : { param: inputs.maskParam },
    inputFidelity: body.input_fidelity,
  });
  return acceptJob(
    deps,
    {
      jobId: submission.jobId,
      accountId: submission.accountId,
      route,
      pricingInputs: pricingInputsOf(body, withMask(inputs)),
      operationFor: (webhookUrl) => ({
        operation: 'edit',
        request: {
          ...requestEcho(body, route, webhookUrl),
          ...(body.input_fidelity === undefined ? {} : { input_fidelity: body.input_fidelity }),
          images: inputs.images.map(inputImageOf),
          ...(inputs.mask === undefined ? {} : { mask: inputImageOf(inputs.mask) }),
        },
        parameters: stepParameters(route, 0),
        route: routeEntriesOf(route),
      }),
      responseFormat: body.response_format ?? 'b64_json',
      metadata: body.metadata,
      webhookUrl: body.webhookUrl,
      rawBody: submission.identity,
      idempotencyKey: submission.idempotencyKey,
    },
    answering,
  );
}
