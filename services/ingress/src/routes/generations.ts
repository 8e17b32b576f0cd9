import { generationRequestSchema, isTerminal } from '@imagegate/contracts';
import { errorFromStored, InvalidRequestError, OverloadedError, StageTimer } from '@imagegate/core';
import { findJob, finishJobUnsuccessfully, type JobRow } from '@imagegate/db';
import { toJobResource } from '@imagegate/resources';
import type { Request, Response } from 'express';
import type { IngressDeps } from '../deps.ts';
import { createEnqueueBatcher } from '../enqueue-batcher.ts';
import { createHoldBatcher } from '../hold-batcher.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { planRoute } from '../plan-route.ts';
import { parsePrefer } from '../prefer.ts';
import { sendImagesResponse } from '../responses/images-body.ts';
import { submitJob } from '../submit-job.ts';
import { webhookUrlOfRequest } from '../webhook-url-of-request.ts';

/**
 * `POST /v1/images/generations`: validate, record the job, enqueue it, then wait for it (sync),
 * answer 202 at once (`Prefer: respond-async`), or wait a while and then 202 (`Prefer: wait=N`).
 */
export function createGenerationHandler(deps: IngressDeps) {
  const { pool, catalog, queues, waiter, settings } = deps;
  // Submits arriving together share one hold statement and one queue round trip.
  const holds = createHoldBatcher(pool);
  const enqueuer = createEnqueueBatcher();

  return async (request: Request, response: Response): Promise<void> => {
    const stages = new StageTimer();
    if (!request.is('application/json')) {
      throw new InvalidRequestError("Send the body as JSON with 'Content-Type: application/json'.", {
        code: 'invalid_content_type',
      });
    }
    const body = generationRequestSchema.parse(request.body ?? null);
    const caller = callerOf(response);
    const model = catalog.resolve(body.model);
    const fallbacks = body.fallbacks ?? body.extra?.fallbacks;
    const route = planRoute(
      catalog,
      model,
      {
        ...body,
        providerOptions: body.providerOptions ?? body.provider_options,
        providerOptionsField: body.provider_options === undefined ? 'providerOptions' : 'provider_options',
      },
      fallbacks && { names: fallbacks, param: body.fallbacks === undefined ? 'extra.fallbacks' : 'fallbacks' },
      (provider) => queues.has(provider),
    );
    const parameters = route[0]?.parameters;
    const queue = queues.get(model.provider);
    if (parameters === undefined) throw new Error('planRoute returned no step');
    if (queue === undefined) {
      throw new OverloadedError(`No worker is configured for provider '${model.provider}'.`, {
        code: 'provider_unavailable',
      });
    }
    await deps.admission.admit(model.provider);
    stages.lap('validate');
    const webhookUrl = await webhookUrlOfRequest(body, deps.webhookUrlPolicy);
    const idempotencyKey = readIdempotencyKey(request);
    const preferences = parsePrefer(request.headers.prefer);
    const waitS = Math.min(
      preferences.waitS ?? (preferences.respondAsync ? 0 : settings.syncWaitMaxS),
      settings.syncWaitMaxS,
    );
    const {
      model: _model,
      metadata,
      webhook_url: _webhookUrl,
      extra: _extra,
      fallbacks: _fallbacks,
      ...requestEcho
    } = body;

    const { job: submitted, replayed } = await submitJob(
      pool,
      {
        accountId: caller.accountId,
        route,
        request: {
          ...requestEcho,
          model: body.model,
          n: parameters.n,
          size: parameters.size,
          webhook_url: webhookUrl,
          ...(route.length > 1 ? { fallbacks: route.slice(1).map((step) => step.model.id) } : {}),
        },
        responseFormat: body.response_format ?? 'b64_json',
        metadata: metadata ?? {},
        webhookUrl,
        rawBody: request.body,
        idempotencyKey,
      },
      { markupTiers: settings.markupTiers, holds },
    );
    let job = submitted;
    stages.lap('hold');
    if (replayed) response.setHeader('idempotent-replayed', 'true');

    // Wait before enqueueing, so a fast job cannot finish unseen. Only a waiting request needs to
    // know that its client left (an AbortController per request is not free).
    const abort = waitS > 0 && !isTerminal(job.status) ? new AbortController() : undefined;
    if (abort) response.on('close', () => abort.abort());
    const outcome = abort ? waiter.wait(job.id, waitS * 1000, abort.signal) : undefined;
    let position: number | undefined;
    if (job.status === 'queued') {
      try {
        // Idempotent: a replay re-adds the job in case the first request died before enqueueing it.
        position = await enqueuer.add({ queue, jobId: job.id });
      } catch (error) {
        // Redis is unreachable: fail the job (its hold is released by the settlement sweep).
        abort?.abort();
        const overloaded = new OverloadedError('The job queue is unavailable; try again shortly.', {
          cause: error,
          retryAfterMs: 5_000,
        });
        await finishJobUnsuccessfully(pool, job.id, {
          status: 'failed',
          errorStatus: 503,
          error: overloaded.toErrorObject(),
        });
        throw overloaded;
      }
    }
    stages.lap('enqueue');
    if (replayed) job = (await findJob(pool, job.id)) ?? job;
    if (outcome !== undefined && !isTerminal(job.status)) {
      const result = await outcome;
      if (result === 'aborted') return; // the client left; the job runs on and can be fetched later
      stages.lap('wait');
      job = (await findJob(pool, job.id)) ?? job;
      position = undefined; // read again: the queue moved while this request waited
      stages.lap('read');
    }
    abort?.abort();
    if (isTerminal(job.status)) await answerFinished(response, job, deps);
    else {
      await answerAccepted(response, job, deps, {
        preferred: preferences.respondAsync || preferences.waitS !== undefined,
        position,
      });
    }
    stages.lap('answer');
    deps.logger.debug({ jobId: job.id, status: job.status, stagesMs: stages.laps }, 'generation request answered');
  };
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function readIdempotencyKey(request: Request): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidRequestError('Idempotency-Key must be 1 to 255 printable ASCII characters.', {
      param: 'Idempotency-Key',
    });
  }
  return key;
}

async function answerFinished(response: Response, job: JobRow, deps: IngressDeps): Promise<void> {
  response.setHeader('vary', 'Prefer');
  if (job.status === 'succeeded') {
    await sendImagesResponse(response, job, { store: deps.store, imageUrlTtlS: deps.settings.imageUrlTtlS });
    return;
  }
  if (job.error === null) throw new Error(`job ${job.id} is ${job.status} without an error`);
  throw errorFromStored(job.error_status ?? 500, job.error);
}

/** `position`: jobs ahead of this one, when it was just enqueued (else read from the queue). */
async function answerAccepted(
  response: Response,
  job: JobRow,
  deps: IngressDeps,
  options: { preferred: boolean; position: number | undefined },
): Promise<void> {
  // A queued job's position is the queue's length ahead of it (one Redis call, where counting queued
  // rows in Postgres grows with the backlog).
  const queue = deps.queues.get(job.provider);
  const position =
    job.status !== 'queued' || !queue ? null : (options.position ?? Math.max(0, (await queue.getWaitingCount()) - 1));
  response.setHeader('vary', 'Prefer');
  if (options.preferred) response.setHeader('preference-applied', 'respond-async');
  response
    .status(202)
    .location(`/v1/images/jobs/${job.id}`)
    .json(
      toJobResource(job, {
        store: deps.store,
        imageUrlTtlS: deps.settings.imageUrlTtlS,
        queuePosition: position,
        estimatedStartAt: position === null ? null : deps.admission.estimatedStartAt(job.provider, position),
      }),
    );
}
