import { resolveParameters } from '@imagegate/catalog';
import { generationRequestSchema, isTerminal } from '@imagegate/contracts';
import { errorFromStored, InvalidRequestError, newId, OverloadedError } from '@imagegate/core';
import { findJob, finishJobUnsuccessfully, insertJob, type JobRow, queuePosition } from '@imagegate/db';
import { enqueueGeneration } from '@imagegate/queue';
import type { Request, Response } from 'express';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { parsePrefer } from '../prefer.ts';
import { sendImagesResponse } from '../responses/images-body.ts';
import { toJobResource } from '../responses/job-resource.ts';

/**
 * `POST /v1/images/generations`: validate, record the job, enqueue it, then wait for it (sync),
 * answer 202 at once (`Prefer: respond-async`), or wait a while and then 202 (`Prefer: wait=N`).
 */
export function createGenerationHandler(deps: IngressDeps) {
  const { pool, catalog, queues, waiter, settings } = deps;

  return async (request: Request, response: Response): Promise<void> => {
    if (!request.is('application/json')) {
      throw new InvalidRequestError("Send the body as JSON with 'Content-Type: application/json'.", {
        code: 'invalid_content_type',
      });
    }
    const body = generationRequestSchema.parse(request.body ?? null);
    const caller = callerOf(response);
    const model = catalog.resolve(body.model);
    const parameters = resolveParameters(model, body);
    const queue = queues.get(model.provider);
    if (queue === undefined) {
      throw new OverloadedError(`No worker is configured for provider '${model.provider}'.`, {
        code: 'provider_unavailable',
      });
    }

    const preferences = parsePrefer(request.headers.prefer);
    const waitS = Math.min(
      preferences.waitS ?? (preferences.respondAsync ? 0 : settings.syncWaitMaxS),
      settings.syncWaitMaxS,
    );
    const { model: _requestedModel, metadata, ...requestEcho } = body;
    const id = newId('job');

    // Register the waiter before the job exists in the queue, so a fast job cannot finish unseen.
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    const outcome = waitS > 0 ? waiter.wait(id, waitS * 1000, abort.signal) : undefined;

    let job = await insertJob(pool, {
      id,
      accountId: caller.accountId,
      model: model.id,
      provider: model.provider,
      request: { ...requestEcho, n: parameters.n, size: parameters.size },
      parameters: { ...parameters, providerModel: model.providerModel },
      responseFormat: body.response_format ?? 'b64_json',
      metadata: metadata ?? {},
    });
    try {
      await enqueueGeneration(queue, id);
    } catch (error) {
      // Redis is unreachable: the job must not sit "queued" forever, and it costs nothing.
      const overloaded = new OverloadedError('The job queue is unavailable; try again shortly.', {
        cause: error,
        retryAfterMs: 5_000,
      });
      await finishJobUnsuccessfully(pool, id, {
        status: 'failed',
        errorStatus: 503,
        error: overloaded.toErrorObject(),
      });
      throw overloaded;
    }

    if (outcome !== undefined && (await outcome) === 'finished') {
      job = (await findJob(pool, id)) ?? job;
    } else if (outcome !== undefined) {
      if (abort.signal.aborted) return; // the client left; the job runs on and can be fetched later
      job = (await findJob(pool, id)) ?? job;
    }
    if (isTerminal(job.status)) return answerFinished(response, job, deps);
    await answerAccepted(response, job, deps, preferences.respondAsync || preferences.waitS !== undefined);
  };
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

async function answerAccepted(response: Response, job: JobRow, deps: IngressDeps, preferred: boolean): Promise<void> {
  const position = job.status === 'queued' ? await queuePosition(deps.pool, job) : null;
  response.setHeader('vary', 'Prefer');
  if (preferred) response.setHeader('preference-applied', 'respond-async');
  response
    .status(202)
    .location(`/v1/images/jobs/${job.id}`)
    .json(toJobResource(job, { store: deps.store, imageUrlTtlS: deps.settings.imageUrlTtlS, queuePosition: position }));
}
