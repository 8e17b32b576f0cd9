import { errorFromStored, InvalidRequestError, type StageTimer } from '@imagegate/core';
import type { JobRow } from '@imagegate/db';
import type { Request, Response } from 'express';
import { type LimitHold, limitHoldWarning, retryAfterSeconds } from '../limit-hold.ts';
import { type Preferences, parsePrefer } from '../prefer.ts';
import { sendImagesResponse } from '../responses/images-body.ts';
import { placedJobResource } from '../responses/placed-job-resource.ts';
import type { Acceptance, Answering, SubmissionDeps } from '../submission/accept-job.ts';
import { queuePlaceOf } from '../submission/job-position.ts';

/**
 * The HTTP of a job submission that every submit endpoint shares: reading `Idempotency-Key` and
 * `Prefer` from the request, and answering what the submission came to (the images, the error,
 * or 202 with the job).
 */

/**
 * How long to wait and how to notice the client leaving, from the `Prefer` header. A streamed
 * request does not wait in the submission (the stream follows the job); it cannot be asynchronous.
 */
export function answeringOf(
  request: Request,
  response: Response,
  deps: SubmissionDeps,
  stages: StageTimer,
  stream = false,
): { answering: Answering; preferences: Preferences } {
  const preferences = parsePrefer(request.headers.prefer);
  if (stream && preferences.respondAsync) {
    throw new InvalidRequestError('stream: true cannot be combined with Prefer: respond-async; drop one of them.', {
      param: 'stream',
    });
  }
  const { syncWaitMaxS } = deps.settings;
  const waitS = stream ? 0 : Math.min(preferences.waitS ?? (preferences.respondAsync ? 0 : syncWaitMaxS), syncWaitMaxS);
  return { answering: { waitS, clientGone: () => clientGoneSignal(response), stages }, preferences };
}

/** Only a waiting request needs to know that its client left (an AbortController per request is not free). */
function clientGoneSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => controller.abort());
  return controller.signal;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function readIdempotencyKey(request: Request): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidRequestError('Idempotency-Key must be 1 to 255 printable ASCII characters.', {
      param: 'Idempotency-Key',
    });
  }
  return key;
}

/** Answers a submission: the images or the error of a finished job, else 202 with the job and its place in the queue. */
export async function answerAcceptance(
  response: Response,
  acceptance: Exclude<Acceptance, { kind: 'client_gone' }>,
  preferences: Preferences,
  deps: SubmissionDeps,
): Promise<void> {
  const { job } = acceptance;
  if (acceptance.replayed) response.setHeader('idempotent-replayed', 'true');
  response.setHeader('vary', 'Prefer');
  if (acceptance.kind === 'finished') {
    await answerFinished(response, job, deps, acceptance.waitedFor);
    return;
  }
  await answerAccepted(response, job, preferences, deps, acceptance.position);
}

/**
 * 202 with the job and its place in the queue (`position` when the enqueue just read it). A job a
 * provider limit holds back says so in `extra.warnings` and carries `Retry-After`: the seconds until
 * it should start, when polling begins to be worth it.
 */
export async function answerAccepted(
  response: Response,
  job: JobRow,
  preferences: Preferences,
  deps: SubmissionDeps,
  position?: number,
): Promise<void> {
  if (preferences.respondAsync || preferences.waitS !== undefined) {
    response.setHeader('preference-applied', 'respond-async');
  }
  const place = await queuePlaceOf(deps, job, position);
  if (place.heldBy !== undefined) response.setHeader('retry-after', String(retryAfterSeconds(place.heldBy)));
  response
    .status(202)
    .location(`/v1/images/jobs/${job.id}`)
    .json(placedJobResource(deps, job, place));
}

async function answerFinished(
  response: Response,
  job: JobRow,
  deps: SubmissionDeps,
  waitedFor: LimitHold | undefined,
): Promise<void> {
  if (job.status === 'succeeded') {
    await sendImagesResponse(response, job, {
      store: deps.store,
      imageUrlTtlS: deps.settings.imageUrlTtlS,
      warnings: waitedFor === undefined ? [] : [limitHoldWarning(waitedFor, 'waited')],
    });
    return;
  }
  if (job.error === null) throw new Error(`job ${job.id} is ${job.status} without an error`);
  throw errorFromStored(job.error_status ?? 500, job.error);
}
