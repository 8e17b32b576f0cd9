import type { GenerationJobPayload } from '@imagegate/contracts';
import { type GatewayError, toGatewayError, UpstreamError } from '@imagegate/core';
import {
  completeJob,
  findJob,
  finishJobUnsuccessfully,
  type JobRow,
  recordFailedAttempt,
  recordImagesStored,
  recordUpstreamTask,
  type StoredImage,
  startJobAttempt,
  type TerminalTransition,
} from '@imagegate/db';
import {
  generateInCalls,
  type ImageProvider,
  type ProviderImageRequest,
  type ProviderImageResult,
  type UpstreamTask,
} from '@imagegate/providers';
import { enqueueSettlement, enqueueWebhookDelivery, publishJobEvent } from '@imagegate/queue';
import type { Job } from 'bullmq';
import type { Cancellations } from '../cancellations.ts';
import type { ProviderWorkerDeps } from '../deps.ts';

const CANCELED = { message: 'The job was canceled.', type: 'invalid_request_error', param: null, code: 'canceled' };

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** S3 key of image `index` of a job: rewriting it on a retry overwrites the same object. */
export function imageKey(jobId: string, index: number, mediaType: string): string {
  return `jobs/${jobId}/${index}.${EXTENSIONS[mediaType] ?? 'bin'}`;
}

/**
 * One attempt at a generation job. Every step is idempotent so a redelivery (stalled worker,
 * duplicate add) is harmless: a terminal job is left alone; once images are in S3 the upstream is
 * never called again; finishing is a conditional update.
 */
export function createGenerateImageProcessor(
  deps: ProviderWorkerDeps,
  provider: ImageProvider,
  cancellations: Cancellations,
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
    await enqueueSettlement(deps.settlementQueue, jobId);
    if (transition.webhookDeliveryId) await enqueueWebhookDelivery(deps.webhookQueue, transition.webhookDeliveryId);
    await publishJobEvent(redis, settings.redisPrefix, { jobId, status });
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

  return async (queueJob: Job<GenerationJobPayload>): Promise<void> => {
    const { jobId } = queueJob.data;
    const logger = deps.logger.child({ jobId, provider: provider.name, attempt: queueJob.attemptsMade + 1 });
    const job = await startJobAttempt(pool, jobId);
    if (job === undefined) {
      logger.debug('job already finished or unknown; nothing to do');
      return;
    }
    if (job.cancel_requested) return finishUnsuccessfully(jobId, 'canceled', new UpstreamError('canceled'));
    if (job.progress !== 'accepted') return finishSucceeded(jobId);

    // Submission warnings stay on the job (the response shows them with the upstream's own).
    const {
      warnings: _warnings,
      imagesPerCall,
      ...parameters
    } = job.parameters as unknown as Omit<ProviderImageRequest, 'prompt' | 'user'> & {
      warnings?: string[];
      imagesPerCall?: number;
    };
    const request: ProviderImageRequest = {
      ...parameters,
      // Jobs recorded before protocols existed were all OpenAI's.
      protocol: parameters.protocol ?? 'openai-images',
      prompt: String(job.request.prompt),
      user: typeof job.request.user === 'string' ? job.request.user : undefined,
    };
    const signal = cancellations.begin(jobId);
    const started = Date.now();
    let result: ProviderImageResult;
    try {
      result = await generateInCalls(provider, request, {
        imagesPerCall: imagesPerCall ?? request.n,
        signal,
        pendingTasks: job.upstream_tasks as Record<string, UpstreamTask>,
        onTaskSubmitted: (index, task) => recordUpstreamTask(pool, jobId, index, task),
      });
    } catch (thrown) {
      const error = toGatewayError(thrown);
      await recordFailedAttempt(pool, jobId, {
        provider: provider.name,
        model: job.model,
        status: 'failed',
        error_code: error.code,
        duration_ms: Date.now() - started,
      });
      if (signal.aborted || (await findJob(pool, jobId))?.cancel_requested) {
        return finishUnsuccessfully(jobId, 'canceled', error);
      }
      const lastAttempt = queueJob.attemptsMade + 1 >= (queueJob.opts.attempts ?? 1);
      if (!error.retryable || lastAttempt) {
        logger.warn({ code: error.code, status: error.status }, 'generation failed');
        const surfaced = error.retryable
          ? new UpstreamError(`The upstream failed: ${error.message}`, { code: error.code })
          : error;
        return finishUnsuccessfully(jobId, 'failed', surfaced);
      }
      logger.info({ code: error.code }, 'generation failed; will retry');
      throw error;
    } finally {
      cancellations.end(jobId);
    }

    const images = await storeImages(job, result);
    await recordImagesStored(
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
        warnings: result.warnings,
      },
      { provider: provider.name, model: job.model, status: 'succeeded', duration_ms: Date.now() - started },
    );
    await finishSucceeded(jobId);
    logger.info({ images: images.length, ms: Date.now() - started }, 'generation succeeded');
  };
}
