import { setTimeout as sleep } from 'node:timers/promises';
import {
  type GenerationJobPayload,
  generationJobPayloadSchema,
  imageUsageSchema,
  type StoredImage,
} from '@imagegate/contracts';
import {
  CanceledError,
  type GatewayError,
  StageTimer,
  TimeoutError,
  toGatewayError,
  UpstreamError,
} from '@imagegate/core';
import {
  completeJobWithImages,
  findJob,
  type JobRow,
  moveJobToFallback,
  recordFailedAttempt,
  recordUpstreamTask,
  returnJobToQueue,
  startJobAttempt,
} from '@imagegate/db';
import {
  generateInCalls,
  type ImageProvider,
  type ProviderImageRequest,
  type ProviderImageResult,
  splitIntoCalls,
} from '@imagegate/providers';
import {
  announceJobEnd,
  type CallLimiter,
  endJobUnsuccessfully,
  enqueueGenerations,
  jobEndingChannelsOf,
  type ProviderQueue,
  recordAttemptFailure,
  routeIndexOfQueueJobId,
} from '@imagegate/queue';
import { currentTraceparent, inSpan, unobservedTelemetry } from '@imagegate/telemetry';
import { type Job, RateLimitError } from 'bullmq';
import type { Cancellations } from '../cancellations.ts';
import type { ProviderWorkerDeps } from '../deps.ts';
import { attemptTelemetry } from './attempt-telemetry.ts';
import { chatInputsOf } from './chat-inputs.ts';
import { readEditInputs, type SpooledEditInputs } from './edit-inputs.ts';
import { imageKey } from './image-keys.ts';
import { StreamedImages } from './streamed-images.ts';

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

/**
 * One attempt at a generation job. Every step is idempotent so a redelivery (stalled worker,
 * duplicate add) is harmless: a terminal job is left alone (a recorded success never calls the
 * upstream again); images go to keys derived from the job, so storing twice overwrites; finishing
 * is a conditional update. A crash between storing the images and recording them does call the
 * upstream again on redelivery (an asynchronous upstream's task is polled, not paid twice).
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
  const { pool, store } = deps;
  const channels = jobEndingChannelsOf(deps);
  const telemetry = deps.telemetry ?? unobservedTelemetry();
  const observed = attemptTelemetry(telemetry, provider.name);

  async function fail(jobId: string, error: GatewayError): Promise<void> {
    await endJobUnsuccessfully(pool, channels, jobId, { status: 'failed', error });
  }

  async function cancel(jobId: string): Promise<void> {
    await endJobUnsuccessfully(pool, channels, jobId, { status: 'canceled', error: new CanceledError() });
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
        await enqueueGenerations(deps.queueFor(moved.provider), [
          { jobId: job.id, routeIndex: moved.route_index, traceparent: currentTraceparent() },
        ]);
        return;
      }
    }
    logger.warn({ code: error.code, status: error.status }, 'generation failed');
    // A failure retries did not fix is the upstream's: 502, keeping a code that means a 502.
    let surfaced = error.retryable
      ? new UpstreamError(`The upstream failed: ${error.message}`, {
          code: error.status === 502 ? error.code : 'upstream_error',
          upstreamCode: error.upstreamCode,
          cause: error,
        })
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
    await fail(job.id, surfaced);
  }

  return async (queueJob: Job<GenerationJobPayload>): Promise<void> => {
    const { jobId } = generationJobPayloadSchema.parse(queueJob.data);
    const logger = deps.logger.child({ jobId, provider: provider.name, attempt: queueJob.attemptsMade + 1 });
    const stages = new StageTimer({ queued: Math.max(0, (queueJob.processedOn ?? Date.now()) - queueJob.timestamp) });
    const job = await startJobAttempt(pool, jobId, routeIndexOfQueueJobId(queueJob.id));
    stages.lap('start');
    if (job === undefined) {
      logger.debug('job already finished, moved on to a fallback, or unknown; nothing to do');
      return;
    }
    if (job.cancel_requested) return cancel(jobId);

    // Submission warnings stay on the job (the response shows them with the upstream's own).
    const { warnings: _warnings, imagesPerCall, deadlineMs: _deadlineMs, ...parameters } = job.parameters;
    const request: ProviderImageRequest = { ...parameters, prompt: job.request.prompt, user: job.request.user };
    const timedOut = () =>
      new TimeoutError(`The job did not finish within its deadline on '${job.model}'.`, { code: 'timeout' });
    const leftMs = job.deadline_at === null ? Number.POSITIVE_INFINITY : job.deadline_at.getTime() - Date.now();
    if (leftMs <= 0) return failStep(job, timedOut(), logger);

    // A streamed job makes each image in a call of its own, stored and announced as it is done.
    const streamed = parameters.stream
      ? new StreamedImages(jobId, { store, redis: deps.redis, prefix: deps.settings.redisPrefix, logger })
      : undefined;
    const perCall = streamed === undefined ? imagesPerCall : 1;
    const canceled = cancellations.begin(jobId);
    const deadline = AbortSignal.timeout(Math.min(leftMs, 2 ** 31 - 1));
    const signal = AbortSignal.any([canceled, deadline]);
    const started = Date.now();
    /** An attempt that failed: record it, then cancel, hand back, fail over or retry the job. */
    const failAttempt = async (thrown: unknown): Promise<void> => {
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
      // For the admin API's recent failures. Not awaited: the failure path does not wait on a
      // counter, and a lost count is better than a job held up by it.
      recordAttemptFailure(deps.redis, deps.settings.redisPrefix, provider.name, error.code ?? 'internal_error').catch(
        (countError: unknown) => logger.warn({ err: countError }, 'could not count the failed attempt'),
      );
      if (canceled.aborted || (await findJob(pool, jobId))?.cancel_requested) {
        observed.attempt(job.model, 'canceled');
        return cancel(jobId);
      }
      if (retryAfterMs !== undefined) {
        // Nobody calls this provider until the upstream said to; the job waits in its queue.
        logger.info({ retryAfterMs }, 'upstream rate limited; pausing the provider');
        observed.attempt(job.model, 'rate_limited');
        observed.paused();
        await lane.limiter.pause(retryAfterMs);
        return await handBack(jobId, retryAfterMs);
      }
      const lastAttempt = queueJob.attemptsMade + 1 >= (queueJob.opts.attempts ?? 1);
      observed.attempt(job.model, !error.retryable || lastAttempt ? 'failed' : 'retry');
      if (!error.retryable || lastAttempt) return failStep(job, error, logger);
      logger.info({ code: error.code }, 'generation failed; will retry');
      throw error;
    };
    let result: ProviderImageResult;
    let spooled: SpooledEditInputs | undefined;
    try {
      const longWait = await takeAllowance(splitIntoCalls(request.n, perCall).length, signal);
      stages.lap('allowance');
      if (longWait > 0) {
        logger.debug({ waitMs: longWait }, 'provider rate limited; handing the job back');
        return await handBack(jobId, longWait);
      }
      if (job.operation === 'edit') {
        spooled = await readEditInputs(store, job.request, signal);
        request.inputs = spooled.inputs;
      } else if (job.operation === 'chat') {
        const chat = chatInputsOf(job.request, parameters.protocol === 'gemini');
        if (chat.images.length > 0) spooled = await readEditInputs(store, { images: chat.images }, signal);
        const read = spooled?.inputs.images ?? [];
        if (chat.turns !== undefined) {
          request.conversation = chat.turns(read);
          request.conversationText = job.request.modalities?.includes('text') ?? true;
        } else if (read.length > 0) request.inputs = { images: read };
      }
      result = await generateInCalls(provider, request, {
        imagesPerCall: perCall,
        signal,
        pendingTasks: job.upstream_tasks,
        onTaskSubmitted: (index, task) => recordUpstreamTask(pool, jobId, index, task),
        onPartialImage: streamed?.onPartialImage,
        onCallDone: streamed?.onCallDone,
        onProgress: streamed?.onProgress,
        onTextDelta: job.operation === 'chat' && parameters.stream ? streamed?.onTextDelta : undefined,
        aroundCall: observed.aroundCall(job.model),
      });
    } catch (thrown) {
      if (thrown instanceof RateLimitError) throw thrown;
      // Stopped after images were streamed: the client has them, so the job ends with them.
      const delivered =
        canceled.aborted || deadline.aborted
          ? streamed?.deliveredResult(canceled.aborted ? 'Canceled' : 'Out of time')
          : undefined;
      if (delivered !== undefined) {
        result = delivered;
      } else {
        return await failAttempt(thrown);
      }
    } finally {
      cancellations.end(jobId);
      await spooled?.release();
    }

    stages.lap('upstream');
    observed.attempt(job.model, 'succeeded');
    const images =
      streamed === undefined
        ? await inSpan(telemetry.tracing.tracer, 'store', { 'imagegate.images': result.images.length }, () =>
            storeImages(job, result),
          )
        : streamed.images();
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
        usage: imageUsageSchema.safeParse(result.usage).data,
        warnings: [...servedBy, ...result.warnings],
        ...(result.text ? { text: result.text } : {}),
      },
      { provider: provider.name, model: job.model, status: 'succeeded', duration_ms: Date.now() - started },
    );
    stages.lap('record');
    if (transition) await announceJobEnd(channels, jobId, 'succeeded', transition);
    stages.lap('announce');
    logger.info(
      { operation: job.operation, images: images.length, ms: Date.now() - started, stagesMs: stages.laps },
      'generation succeeded',
    );
  };
}
