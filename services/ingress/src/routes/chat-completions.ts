import { chatRequestSchema, refuseMeaningChanging } from '@imagegate/contracts';
import { errorFromStored, InvalidRequestError, newId, StageTimer } from '@imagegate/core';
import { toJobResource } from '@imagegate/resources';
import type { Request, Response } from 'express';
import { discardInputsUnlessRecorded } from '../inputs/discard-inputs.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { chatCompletionBody } from '../responses/chat-completion.ts';
import { streamChatJob } from '../streaming/stream-chat-job.ts';
import { acceptChat } from '../submission/accept-chat.ts';
import type { SubmissionDeps } from '../submission/accept-job.ts';
import { queuePlaceOf } from '../submission/job-position.ts';
import { answeringOf, readIdempotencyKey } from './submission-http.ts';

/**
 * `POST /v1/chat/completions` for image models, the way OpenRouter and Vercel answer: the
 * assistant message carries the images (`message.images`, `delta.images` when streaming). Every
 * request is a job (`operation: "chat"`): held, settled, idempotent, retried, fallen back,
 * webhook-able; `Prefer: respond-async` answers 202 with the job.
 */
export function createChatCompletionHandler(deps: SubmissionDeps) {
  return async (request: Request, response: Response): Promise<void> => {
    const stages = new StageTimer();
    if (!request.is('application/json')) {
      throw new InvalidRequestError("Send the body as JSON with 'Content-Type: application/json'.", {
        code: 'invalid_content_type',
      });
    }
    refuseMeaningChanging(request.body);
    const body = chatRequestSchema.parse(request.body ?? null);
    const stream = body.stream === true;
    const { answering, preferences } = answeringOf(request, response, deps, stages, stream);
    const jobId = newId('job');
    const { acceptance, stored } = await acceptChat(
      deps,
      {
        jobId,
        accountId: callerOf(response).accountId,
        body,
        rawBody: request.body,
        idempotencyKey: readIdempotencyKey(request),
      },
      answering,
    );
    // A replay answered with the first request's job, or one whose client left, keeps no images.
    if (acceptance.kind === 'client_gone' || acceptance.job.id !== jobId) {
      await discardInputsUnlessRecorded(deps, jobId, stored);
    }
    if (acceptance.kind === 'client_gone') return;
    if (acceptance.replayed) response.setHeader('idempotent-replayed', 'true');
    if (stream) {
      await streamChatJob(deps, response, acceptance);
      return;
    }
    const { job } = acceptance;
    if (acceptance.kind === 'accepted') {
      if (preferences.respondAsync || preferences.waitS !== undefined) {
        response.setHeader('preference-applied', 'respond-async');
      }
      // Its place in the queue, as the generations' 202 and every later read show it.
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
      return;
    }
    if (job.status !== 'succeeded') {
      if (job.error === null) throw new Error(`job ${job.id} is ${job.status} without an error`);
      throw errorFromStored(job.error_status ?? 500, job.error);
    }
    response
      .status(200)
      .json(await chatCompletionBody(job, { store: deps.store, imageUrlTtlS: deps.settings.imageUrlTtlS }));
    stages.lap('answer');
  };
}
