import { isTerminal } from '@imagegate/contracts';
import { CanceledError, InvalidRequestError, isId, NotFoundError } from '@imagegate/core';
import { findJobForAccount, type JobRow, jobStatusSchema, listJobsForAccount, requestJobCancel } from '@imagegate/db';
import { announceJobEnd, jobEndingChannelsOf, publishCancelRequest } from '@imagegate/queue';
import { toJobResource } from '@imagegate/resources';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { type QueuePlace, queuePlaceOf, queuePlacesOf } from '../submission/job-position.ts';

/** `status` of `GET /v1/images/jobs`: job statuses separated by commas (`queued,in_progress`). */
export const jobStatusFilterSchema = z
  .string()
  .transform((text) => text.split(',').map((status) => status.trim()))
  .pipe(z.array(jobStatusSchema).min(1))
  .describe(`Only jobs with one of these statuses, separated by commas: ${jobStatusSchema.options.join(', ')}.`);

/** Job reads and cancel. Another account's job is a 404, exactly like a job that does not exist. */
export function jobsRouter(deps: IngressDeps): Router {
  const router = Router();
  const { pool, store, settings } = deps;

  function resourceOf(job: JobRow, place: QueuePlace) {
    return toJobResource(job, {
      store,
      imageUrlTtlS: settings.imageUrlTtlS,
      queuePosition: place.position,
      estimatedStartAt: place.estimatedStartAt,
    });
  }

  async function render(job: JobRow) {
    return resourceOf(job, await queuePlaceOf(deps, job));
  }

  async function ownJob(request: Request, response: Response): Promise<JobRow> {
    const id = String(request.params.id);
    const job = isId('job', id) ? await findJobForAccount(pool, id, callerOf(response).accountId) : undefined;
    if (job === undefined) throw new NotFoundError(`No job with id '${id}'.`, { param: 'id' });
    return job;
  }

  router.get('/v1/images/jobs/:id', async (request, response) => {
    response.json(await render(await ownJob(request, response)));
  });

  router.get('/v1/images/jobs', async (request, response) => {
    const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InvalidRequestError("Invalid value for 'limit': an integer from 1 to 100.", { param: 'limit' });
    }
    const after = request.query.after;
    if (after !== undefined && (typeof after !== 'string' || !isId('job', after))) {
      throw new InvalidRequestError("Invalid value for 'after': a job id.", { param: 'after' });
    }
    const statuses =
      request.query.status === undefined ? undefined : parseStatusFilter(request.query.status as unknown);
    const jobs = await listJobsForAccount(pool, callerOf(response).accountId, { limit: limit + 1, after, statuses });
    const page = jobs.slice(0, limit);
    const places = await queuePlacesOf(deps, page);
    response.json({
      object: 'list',
      data: page.map((job, index) => resourceOf(job, places[index] ?? { position: null, estimatedStartAt: null })),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: jobs.length > limit,
    });
  });

  router.post('/v1/images/jobs/:id/cancel', async (request, response) => {
    const job = await ownJob(request, response);
    if (isTerminal(job.status)) {
      response.json(await render(job));
      return;
    }
    const canceled = new CanceledError();
    const cancel = await requestJobCancel(pool, job.id, job.account_id, {
      errorStatus: canceled.status,
      error: canceled.toErrorObject(),
    });
    const updated = cancel?.job ?? job;
    if (cancel !== undefined && updated.status === 'canceled') {
      // Settled and announced now; the queue entry finds the job canceled and does nothing.
      await announceJobEnd(jobEndingChannelsOf(deps), job.id, 'canceled', cancel);
    } else {
      await publishCancelRequest(deps.redis, settings.redisPrefix, job.id);
    }
    response.json(await render(updated));
  });

  return router;
}

/** The `status` filter, or a 400 naming `status` and the statuses there are. */
function parseStatusFilter(value: unknown) {
  const parsed = jobStatusFilterSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError(
    `Invalid value for 'status': job statuses separated by commas, each one of ${jobStatusSchema.options.join(', ')}.`,
    { param: 'status' },
  );
}
