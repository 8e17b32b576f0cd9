import { isTerminal, type JobOperation } from '@imagegate/contracts';
import { OverloadedError, type StageTimer } from '@imagegate/core';
import { findJob, finishJobUnsuccessfully, type JobRow } from '@imagegate/db';
import { announceJobEnd, jobEndingChannelsOf } from '@imagegate/queue';
import { currentTraceparent, inSpan } from '@imagegate/telemetry';
import { checkWebhookUrl } from '@imagegate/webhooks';
import type { IngressDeps } from '../deps.ts';
import type { LimitHold } from '../limit-hold.ts';
import type { EnqueueBatcher } from './enqueue-batcher.ts';
import type { HoldBatcher } from './hold-batcher.ts';
import { queuePlaceOf } from './job-position.ts';
import type { RouteStep } from './plan-route.ts';
import { withRecordedSuccess } from './recorded-success.ts';
import { type JobSubmission, submitJob } from './submit-job.ts';

/** What every operation's submission shares: the batchers of this ingress process. */
export interface SubmissionDeps extends IngressDeps {
  holds: HoldBatcher;
  enqueuer: EnqueueBatcher;
}

/** How the client asked to be answered, read from its HTTP request by the route. */
export interface Answering {
  /** Seconds to wait for the job to finish before answering 202 (0: answer at once). */
  waitS: number;
  /** Called only when the request will wait: a signal that fires when the client goes away. */
  clientGone: () => AbortSignal;
  stages: StageTimer;
}

/** What a submission came to. */
export type Acceptance =
  /**
   * The job ended while the request waited (or had ended before: a replay): answer it. `waitedFor`:
   * the provider limit that held it back when it was accepted (its answer says so).
   */
  | { kind: 'finished'; job: JobRow; replayed: boolean; waitedFor?: LimitHold | undefined }
  /** Still running: answer 202; `position` when the enqueue just read it. */
  | { kind: 'accepted'; job: JobRow; replayed: boolean; position: number | undefined }
  /** The client left while waiting; the job runs on and can be fetched later. */
  | { kind: 'client_gone' };

/** A job of some operation, its route planned, as its module hands it to `acceptJob`. */
export interface JobToAccept extends Omit<JobSubmission, 'operation' | 'webhookUrl'> {
  /** The webhook URL as the client gave it; `acceptJob` passes it through the SSRF guard. */
  webhookUrl: string | undefined;
  /** The operation's fields, given the checked webhook URL (the request echo shows it). */
  operationFor: (webhookUrl: string | undefined) => JobOperation;
}

/**
 * Accepts a job of any operation once its route is planned: refuses a provider no worker serves
 * (503 `provider_unavailable`) or whose queue is full (503 `overloaded`), passes the webhook URL
 * through the SSRF guard, records the job with its hold, enqueues it and waits for it as long as
 * asked. A job that cannot be enqueued is failed (and its ending announced) at once.
 */
export async function acceptJob(
  deps: SubmissionDeps,
  toAccept: JobToAccept,
  answering: Answering,
): Promise<Acceptance> {
  const { provider } = firstStep(toAccept.route).model;
  if (!deps.queues.has(provider)) {
    throw new OverloadedError(`No worker is configured for provider '${provider}'.`, { code: 'provider_unavailable' });
  }
  await deps.admission.admit(provider);
  answering.stages.lap('validate');
  const webhookUrl =
    toAccept.webhookUrl === undefined
      ? undefined
      : (await checkWebhookUrl(toAccept.webhookUrl, deps.webhookUrlPolicy)).url.href;
  const { operationFor, ...submission } = toAccept;
  const { tracer } = deps.telemetry.tracing;
  const { job: submitted, replayed } = await inSpan(tracer, 'hold', {}, async (span) => {
    const held = await submitJob(
      deps.pool,
      { ...submission, webhookUrl, operation: operationFor(webhookUrl) },
      { markupTiers: deps.settings.markupTiers, holds: deps.holds },
    );
    span.setAttributes({ 'imagegate.job_id': held.job.id, 'imagegate.replayed': held.replayed });
    return held;
  });
  let job = submitted;
  if (!replayed) countSubmitted(deps, job);
  answering.stages.lap('hold');

  // Wait before enqueueing, so a fast job cannot finish unseen.
  const signal = answering.waitS > 0 && !isTerminal(job.status) ? answering.clientGone() : undefined;
  const outcome = signal ? deps.waiter.wait(job.id, answering.waitS * 1000, signal) : undefined;
  let position: number | undefined;
  // The queue of the step serving now: a replayed job may have moved on to a fallback.
  const queue = deps.queues.get(job.provider);
  if (job.status === 'queued' && queue !== undefined) {
    try {
      // Idempotent: a replay re-adds the job in case the first request died before enqueueing it.
      const { id: jobId, route_index: routeIndex } = job;
      position = await inSpan(tracer, 'enqueue', { 'imagegate.job_id': jobId, 'imagegate.queue': queue.name }, () =>
        // The entry carries this span's context: the worker's spans continue the request's trace.
        deps.enqueuer.add({
          queue,
          jobId,
          routeIndex,
          traceparent: currentTraceparent(),
        }),
      );
    } catch (error) {
      throw await failUnqueued(deps, job, error);
    }
  }
  answering.stages.lap('enqueue');
  if (replayed) job = (await findJob(deps.pool, job.id)) ?? job;
  let waitedFor: LimitHold | undefined;
  if (outcome !== undefined && !isTerminal(job.status)) {
    // Whether a provider limit holds the job back, read before the wait (admission's read is fresh;
    // the position is the enqueue's, exact: a shared read may predate the jobs just ahead).
    if (position !== undefined) waitedFor = (await queuePlaceOf(deps, job, position)).heldBy;
    const waited = await outcome;
    if (waited.outcome === 'aborted') return { kind: 'client_gone' };
    answering.stages.lap('wait');
    // A success announced with what it recorded needs no read (unless the job changed model).
    job = withRecordedSuccess(job, waited.event) ?? (await findJob(deps.pool, job.id)) ?? job;
    position = undefined; // the queue moved while this request waited
    answering.stages.lap('read');
  }
  if (isTerminal(job.status)) return { kind: 'finished', job, replayed, waitedFor };
  return { kind: 'accepted', job, replayed, position };
}

/** A job recorded with its hold: the submission counters (labels bounded: operation, provider, model). */
function countSubmitted(deps: SubmissionDeps, job: JobRow): void {
  const { metrics } = deps.telemetry;
  metrics.jobsSubmitted.inc({ operation: job.operation, provider: job.provider, model: job.model });
  metrics.usdHeld.inc(Number(job.hold_micros) / 1e6);
}

/** The route's first step: the model asked for. */
export function firstStep(route: readonly RouteStep[]): RouteStep {
  const [primary] = route;
  if (primary === undefined) throw new Error('a job needs at least one model');
  return primary;
}

/**
 * Redis refused the queue entry: the job fails (503) and its ending is announced like any other,
 * so its hold is released at once. The client's 503 does not wait for the announcement (Redis may
 * be the trouble); what it loses, the settlement and webhook sweeps find in Postgres.
 */
async function failUnqueued(deps: SubmissionDeps, job: JobRow, cause: unknown): Promise<OverloadedError> {
  const overloaded = new OverloadedError('The job queue is unavailable; try again shortly.', {
    cause,
    retryAfterMs: 5_000,
  });
  const transition = await finishJobUnsuccessfully(deps.pool, job.id, {
    status: 'failed',
    errorStatus: overloaded.status,
    error: overloaded.toErrorObject(),
  });
  if (transition !== undefined) {
    announceJobEnd(jobEndingChannelsOf(deps), job.id, 'failed', transition).catch((error: unknown) => {
      deps.logger.warn({ jobId: job.id, err: error }, 'could not announce the failed enqueue; the sweeps will');
    });
  }
  return overloaded;
}
