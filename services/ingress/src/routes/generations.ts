import { generationRequestSchema } from '@imagegate/contracts';
import { errorFromStored, InvalidRequestError, StageTimer } from '@imagegate/core';
import type { JobRow } from '@imagegate/db';
import { toJobResource } from '@imagegate/resources';
import type { Request, Response } from 'express';
import { callerOf } from '../middleware/authenticate.ts';
import { parsePrefer } from '../prefer.ts';
import { sendImagesResponse } from '../responses/images-body.ts';
import { acceptGeneration } from '../submission/accept-generation.ts';
import type { SubmissionDeps } from '../submission/accept-job.ts';
import { queuePlaceOf } from '../submission/job-position.ts';

/**
 * `POST /v1/images/generations`: reads HTTP (body, Idempotency-Key, Prefer) and answers HTTP: the
 * images (sync), or 202 with the job (`Prefer: respond-async`, or `Prefer: wait=N` run out).
 * Accepting the job is `acceptGeneration`'s.
 */
export function createGenerationHandler(deps: SubmissionDeps) {
  return async (request: Request, response: Response): Promise<void> => {
    const stages = new StageTimer();
    if (!request.is('application/json')) {
      throw new InvalidRequestError("Send the body as JSON with 'Content-Type: application/json'.", {
        code: 'invalid_content_type',
      });
    }
    const body = generationRequestSchema.parse(request.body ?? null);
    const preferences = parsePrefer(request.headers.prefer);
    const { syncWaitMaxS } = deps.settings;
    const waitS = Math.min(preferences.waitS ?? (preferences.respondAsync ? 0 : syncWaitMaxS), syncWaitMaxS);
    const acceptance = await acceptGeneration(
      deps,
      {
        accountId: callerOf(response).accountId,
        body,
        rawBody: request.body,
        idempotencyKey: readIdempotencyKey(request),
      },
      { waitS, clientGone: () => clientGoneSignal(response), stages },
    );
    if (acceptance.kind === 'client_gone') return;
    const { job } = acceptance;
    if (acceptance.replayed) response.setHeader('idempotent-replayed', 'true');
    response.setHeader('vary', 'Prefer');
    if (acceptance.kind === 'finished') await answerFinished(response, job, deps);
    else {
      if (preferences.respondAsync || preferences.waitS !== undefined) {
        response.setHeader('preference-applied', 'respond-async');
      }
      const place = await queuePlaceOf(deps, job, acceptance.position);
      response
        .status(202)
        .location(`/v1/images/jobs/${job.id}`)
        .json(
          toJobResource(job, {
            store: deps.store,
            imageUrlTtlS: deps.settings.imageUrlTtlS,
            queuePosition: place.position,
            estimatedStartAt: place.estimatedStartAt,
          }),
        );
    }
    stages.lap('answer');
    deps.logger.debug({ jobId: job.id, status: job.status, stagesMs: stages.laps }, 'generation request answered');
  };
}

/** Only a waiting request needs to know that its client left (an AbortController per request is not free). */
function clientGoneSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => controller.abort());
  return controller.signal;
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

async function answerFinished(response: Response, job: JobRow, deps: SubmissionDeps): Promise<void> {
  if (job.status === 'succeeded') {
    await sendImagesResponse(response, job, { store: deps.store, imageUrlTtlS: deps.settings.imageUrlTtlS });
    return;
  }
  if (job.error === null) throw new Error(`job ${job.id} is ${job.status} without an error`);
  throw errorFromStored(job.error_status ?? 500, job.error);
}
