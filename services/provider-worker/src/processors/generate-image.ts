import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationJobPayload } from '@imagegate/contracts';
import { type GatewayError, StageTimer, TimeoutError, toGatewayError, UpstreamError } from '@imagegate/core';
import {
  completeJob,
  completeJobWithImages,
  findJob,
  finishJobUnsuccessfully,
  type JobRow,
  moveJobToFallback,
  recordFailedAttempt,
  recordUpstreamTask,
  returnJobToQueue,
  type StoredImage,
  startJobAttempt,
  type TerminalTransition,
} from '@imagegate/db';
import {
  generateInCalls,
  type ImageProvider,
  type ProviderImageRequest,
  type ProviderImageResult,
  splitIntoCalls,
  type UpstreamTask,
} from '@imagegate/providers';
import {
  type CallLimiter,
  enqueueGeneration,
  enqueueSettlement,
  enqueueWebhookDelivery,
  type ProviderQueue,
  publishJobEvent,
  routeIndexOfQueueJobId,
} from '@imagegate/queue';
import { type Job, RateLimitError } from 'bullmq';
import type { Cancellations } from '../cancellations.ts';
import type { ProviderWorkerDeps } from '../deps.ts';

const CANCELED = { message: 'The job was canceled.', type: 'invalid_request_error', param: null, code: 'canceled' };

/**
 * A wait for the provider's allowance up to this long happens in the worker; a longer one (a 429's
 * Retry-After, a per-minute limit spent) hands the job back to its queue, which pauses as long.
 */
const LONGEST_WAIT_IN_WORKER_MS = 1_000;

/** A provider's queue and its shared call allowance. */
export interface ProviderLane {
  queue: ProviderQueue;
  limiter: CallLimiter;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** S3 key of image `index` of a job: rewriting it on a retry overwrites the same object. */
export function imageKey(jobId: string, index: number, mediaType: string): string {
  return `jobs/${jobId}/${index}.${EXTENSIONS[mediaType] ?? 'bin'}`;
}

/**
 * One attempt at a generation job. Every step is idempotent so a redelivery (stalled worker,
 * duplicate add) is harmless: a terminal job is left alone; once images are in S3 the upstream is
 * never called again; finishing is a conditional update.
 *
 * Around the upstream call: the provider's call allowance (shared by every worker) is taken first;
 * a 429 with Retry-After pauses the provider and hands the job back without spending an attempt;
 * the job's deadline aborts the call (504, not charged); a failure retrying cannot fix, or the last
 * attempt, moves the job on to its next fallback model, or fails it.
 */
export function createGenerateImageProcessor(
  deps: ProviderWorkerDeps,
  provider: ImageProvider,
  cancellations: Cancellations,
  lane: ProviderLane,
) {
  const { pool, store, redis, settings } = deps;

  /**
   * A job just ended: settle its hold, send its webhook, tell waiting clients. (The settlement and
   * webhook sweeps cover a lost enqueue.)
   */
  async function announce(
    jobId: string,
    status: 'succeeded' | 'failed' | 'canceled',
    transition: TerminalTransition,
  ): Promise<void> {
    const { webhookDeliveryId } = transition;
    await Promise.all([
      publishJobEvent(redis, settings.redisPrefix, { jobId, status }),
      enqueueSettlement(deps.settlementQueue, jobId),
      webhookDeliveryId ? enqueueWebhookDelivery(deps.webhookQueue, webhookDeliveryId) : undefined,
    ]);
  }

  async function finishSucceeded(jobId: string): Promise<void> {
    const transition = await completeJob(pool, jobId);
    if (transition) await announce(jobId, 'succeeded', transition);
  }

  async function finishUnsuccessfully(
    jobId: string,
    status: 'failed' | 'canceled',
    error: GatewayError,
  ): Promise<void> {
    const errorObject = status === 'canceled' ? CANCELED : error.toErrorObject();
    const errorStatus = status === 'canceled' ? 409 : error.status;
    const transition = await finishJobUnsuccessfully(pool, jobId, { status, errorStatus, error: errorObject });
    if (transition) await announce(jobId, status, transition);
  }

  async function storeImages(job: JobRow, result: ProviderImageResult): Promise<StoredImage[]> {
    return Promise.all(
      result.images.map(async (image, index) => {
        const key = imageKey(job.id, index, image.mediaType);
        await store.putObject(key, image.bytes, {
          contentType: image.mediaType,
          contentLength: image.bytes.byteLength,
        });
        return { key, content_type: image.mediaType, bytes: image.bytes.byteLength };
      }),
    );
  }

  /** Back to the queue, which pauses for `waitMs`: BullMQ's RateLimitError spends no attempt. */
  async function handBack(jobId: string, waitMs: number): Promise<never> {
    await returnJobToQueue(pool, jobId);
    await lane.queue.rateLimit(Math.ceil(waitMs));
    throw new RateLimitError();
  }

  /**
   * Takes the allowance for `calls` upstream calls, waiting here for a short while; 0 when taken,
   * else the (long) wait after which the job should come back.
   */
  async function takeAllowance(calls: number, signal: AbortSignal): Promise<number> {
    for (;;) {
      const wait = await lane.limiter.tryAcquire(calls);
      if (wait === 0 || wait > LONGEST_WAIT_IN_WORKER_MS) return wait;
      await sleep(wait, undefined, { signal }).catch(() => {});
      if (signal.aborted) return 0; // the call that follows ends at once as canceled or timed out
    }
  }

  /**
   * The model serving the job failed for good: on to the next model of its route (a moderation
   * refusal would be refused there too), or the job fails. With fallbacks the failure lists every
   * attempt; a retryable failure surfaces as 502.
   */
  async function failStep(job: JobRow, error: GatewayError, logger: typeof deps.logger): Promise<void> {
    if (error.code !== 'moderation_blocked') {
      const moved = await moveJobToFallback(pool, job.id, job.route_index);
      if (moved) {
        logger.warn({ code: error.code, fallback: moved.model }, 'model failed; falling back');
        await enqueueGeneration(deps.queueFor(moved.provider), job.id, moved.route_index);
        return;
      }
    }
    logger.warn({ code: error.code, status: error.status }, 'generation failed');
    let surfaced = error.retryable
      ? new UpstreamError(`The upstream failed: ${error.message}`, { code: error.code })
      : error;
    if (job.route.length > 1 && error.code !== 'moderation_blocked') {
      const attempts = (await findJob(pool, job.id))?.routing.attempts ?? [];
      const listed = attempts.map(
        (attempt) => `${attempt.model} (${attempt.provider}): ${attempt.error_code ?? attempt.status}`,
      );
      surfaced = new UpstreamError(`Every model on the route failed: ${listed.join('; ')}.`, {
        code: 'all_models_failed',
      });
    }
    await finishUnsuccessfully(job.id, 'failed', surfaced);
  }

  return async (queueJob: Job<GenerationJobPayload>): Promise<void> => {
    const { jobId } = queueJob.data;
    const logger = deps.logger.child({ jobId, provider: provider.name, attempt: queueJob.attemptsMade + 1 });
    const stages = new StageTimer({ queued: Math.max(0, (queueJob.processedOn ?? Date.now()) - queueJob.timestamp) });
    const job = await startJobAttempt(pool, jobId, routeIndexOfQueueJobId(queueJob.id));
    stages.lap('start');
    if (job === undefined) {
      logger.debug('job already finished, moved on to a fallback, or unknown; nothing to do');
      return;
    }
    if (job.cancel_requested) return finishUnsuccessfully(jobId, 'canceled', new UpstreamError('canceled'));
    if (job.progress !== 'accepted') return finishSucceeded(jobId);

    // Submission warnings stay on the job (the response shows them with the upstream's own).
    const {
      warnings: _warnings,
      imagesPerCall: recordedImagesPerCall,
      deadlineMs: _deadlineMs,
      ...parameters
    } = job.parameters as unknown as Omit<ProviderImageRequest, 'prompt' | 'user'> & {
      warnings?: string[];
      imagesPerCall?: number;
      deadlineMs?: number;
    };
    const request: ProviderImageRequest = {
      ...parameters,
      // Jobs recorded before protocols existed were all OpenAI's.
      protocol: parameters.protocol ?? 'openai-images',
      prompt: String(job.request.prompt),
      user: typeof job.request.user === 'string' ? job.request.user : undefined,
    };
    const imagesPerCall = recordedImagesPerCall ?? request.n;
    const timedOut = () =>
      new TimeoutError(`The job did not finish within its deadline on '${job.model}'.`, { code: 'timeout' });
    const leftMs = job.deadline_at === null ? Number.POSITIVE_INFINITY : job.deadline_at.getTime() - Date.now();
    if (leftMs <= 0) return failStep(job, timedOut(), logger);

    const canceled = cancellations.begin(jobId);
    const deadline = AbortSignal.timeout(Math.min(leftMs, 2 ** 31 - 1));
    const signal = AbortSignal.any([canceled, deadline]);
    const started = Date.now();
    let result: ProviderImageResult;
    try {
      const longWait = await takeAllowance(splitIntoCalls(request.n, imagesPerCall).length, signal);
      stages.lap('allowance');
      if (longWait > 0) {
        logger.debug({ waitMs: longWait }, 'provider rate limited; handing the job back');
        return await handBack(jobId, longWait);
      }
      result = await generateInCalls(provider, request, {
        imagesPerCall,
        signal,
        pendingTasks: job.upstream_tasks as Record<string, UpstreamTask>,
        onTaskSubmitted: (index, task) => recordUpstreamTask(pool, jobId, index, task),
      });
    } catch (thrown) {
      if (thrown instanceof RateLimitError) throw thrown;
      const error = deadline.aborted && !canceled.aborted ? timedOut() : toGatewayError(thrown);
      // The adapters give a wait only for a 429 (or 503) with Retry-After.
      const retryAfterMs = error.retryable ? error.retryAfterMs : undefined;
      await recordFailedAttempt(pool, jobId, {
        provider: provider.name,
        model: job.model,
        status: retryAfterMs === undefined ? 'failed' : 'rate_limited',
        error_code: error.code,
        upstream_code: error.upstreamCode,
        duration_ms: Date.now() - started,
      });
      if (canceled.aborted || (await findJob(pool, jobId))?.cancel_requested) {
        return finishUnsuccessfully(jobId, 'canceled', error);
      }
      if (retryAfterMs !== undefined) {
        // Nobody calls this provider until the upstream said to; the job waits in its queue.
        logger.info({ retryAfterMs }, 'upstream rate limited; pausing the provider');
        await lane.limiter.pause(retryAfterMs);
        return await handBack(jobId, retryAfterMs);
      }
      const lastAttempt = queueJob.attemptsMade + 1 >= (queueJob.opts.attempts ?? 1);
      if (!error.retryable || lastAttempt) return failStep(job, error, logger);
      logger.info({ code: error.code }, 'generation failed; will retry');
      throw error;
    } finally {
      cancellations.end(jobId);
    }

    stages.lap('upstream');
    const images = await storeImages(job, result);
    stages.lap('store');
    const servedBy =
      job.route_index > 0
        ? [
            `Served by '${job.model}': ${job.route
              .slice(0, job.route_index)
              .map((step) => `'${step.model}'`)
              .join(', ')} failed.`,
          ]
        : [];
    const transition = await completeJobWithImages(
      pool,
      jobId,
      images,
      {
        created: Math.floor(Date.now() / 1000),
        size: result.size,
        quality: result.quality,
        output_format: result.outputFormat,
        background: result.background,
        usage: result.usage,
        warnings: [...servedBy, ...result.warnings],
      },
      { provider: provider.name, model: job.model, status: 'succeeded', duration_ms: Date.now() - started },
    );
    stages.lap('record');
    if (transition) await announce(jobId, 'succeeded', transition);
    stages.lap('announce');
    logger.info({ images: images.length, ms: Date.now() - started, stagesMs: stages.laps }, 'generation succeeded');
  };
}
