import { generationRequestSchema } from '@imagegate/contracts';
import { InvalidRequestError, StageTimer } from '@imagegate/core';
import type { Request, Response } from 'express';
import { callerOf } from '../middleware/authenticate.ts';
import { streamImageJob } from '../streaming/stream-image-job.ts';
import { acceptGeneration } from '../submission/accept-generation.ts';
import type { SubmissionDeps } from '../submission/accept-job.ts';
import { answerAcceptance, answeringOf, readIdempotencyKey } from './submission-http.ts';

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
    const { answering, preferences } = answeringOf(request, response, deps, stages, body.stream === true);
    const acceptance = await acceptGeneration(
      deps,
      {
        accountId: callerOf(response).accountId,
        body,
        rawBody: request.body,
        idempotencyKey: readIdempotencyKey(request),
      },
      answering,
    );
    if (acceptance.kind === 'client_gone') return;
    if (body.stream === true) await streamImageJob(deps, response, acceptance, 'image_generation');
    else await answerAcceptance(response, acceptance, preferences, deps);
    stages.lap('answer');
    deps.logger.debug(
      { jobId: acceptance.job.id, status: acceptance.job.status, stagesMs: stages.laps },
      'generation request answered',
    );
  };
}
