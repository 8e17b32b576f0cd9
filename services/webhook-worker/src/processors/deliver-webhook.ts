import { type WebhookDeliveryPayload, webhookDeliveryPayloadSchema } from '@imagegate/contracts';
import { SecretBoxError } from '@imagegate/core';
import {
  findJob,
  findWebhookDelivery,
  findWebhookSigningSecrets,
  recordWebhookAttempt,
  type WebhookAttemptVerdict,
} from '@imagegate/db';
import { contextOfTraceparent, inSpan, unobservedTelemetry } from '@imagegate/telemetry';
import { nextRetryDelayMs, postWebhook, signWebhook, type WebhookAttemptOutcome } from '@imagegate/webhooks';
import { DelayedError, type Job } from 'bullmq';
import type { WebhookWorkerDeps } from '../deps.ts';
import { webhookEventBody } from '../webhook-event-body.ts';
import { WEBHOOK_WORKER_DEFAULTS } from '../webhook-worker-defaults.ts';

/** A delivery attempt's verdict as the metrics name it. */
const DELIVERY_OUTCOMES = { succeeded: 'delivered', pending: 'retrying', failed: 'failed' } as const;

/** An entry run this much before its delivery is due waits for its time instead. */
const EARLY_TOLERANCE_MS = 1_000;

/** Where the delivery stands after `outcome`, given the failures before it and the retry schedule. */
export function verdictAfter(
  outcome: Pick<WebhookAttemptOutcome, 'delivered'>,
  failuresBefore: number,
  retryScheduleMs: readonly number[],
  now: number = Date.now(),
): WebhookAttemptVerdict {
  if (outcome.delivered) return { status: 'succeeded' };
  const delay = nextRetryDelayMs(retryScheduleMs, failuresBefore + 1);
  return delay === undefined ? { status: 'failed' } : { status: 'pending', nextAttemptAt: new Date(now + delay) };
}

/** Puts the queue entry back until `until`, keeping its id (the delivery id), and ends this run. */
async function postpone(queueJob: Job<WebhookDeliveryPayload>, token: string | undefined, until: Date): Promise<never> {
  await queueJob.moveToDelayed(until.getTime(), token);
  throw new DelayedError();
}

/**
 * One attempt at a webhook delivery. The queue entry's id is the delivery id, so one delivery has
 * at most one attempt in flight; Postgres holds where the delivery stands, so a duplicate or early
 * entry finds out and does nothing. A failed attempt is recorded and the same entry is delayed to
 * the next retry time; the webhook-id stays the delivery id throughout.
 */
export function createDeliverWebhookProcessor(deps: WebhookWorkerDeps) {
  const { pool, store, policy, secretBox, settings } = deps;
  const { metrics, tracing } = deps.telemetry ?? unobservedTelemetry();

  // Each attempt in a span continuing the trace of the job's ending (its queue entry carries it).
  return (queueJob: Job<WebhookDeliveryPayload>, token?: string, signal?: AbortSignal): Promise<void> => {
    const { deliveryId, traceparent } = webhookDeliveryPayloadSchema.parse(queueJob.data);
    return inSpan(
      tracing.tracer,
      'webhook delivery',
      { 'imagegate.delivery_id': deliveryId },
      () => attempt(queueJob, deliveryId, token, signal),
      contextOfTraceparent(traceparent),
    );
  };

  async function attempt(
    queueJob: Job<WebhookDeliveryPayload>,
    deliveryId: string,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const delivery = await findWebhookDelivery(pool, deliveryId);
    if (delivery === undefined || delivery.status !== 'pending') return;
    if (delivery.next_attempt_at.getTime() > Date.now() + EARLY_TOLERANCE_MS) {
      return postpone(queueJob, token, delivery.next_attempt_at);
    }
    const logger = deps.logger.child({ deliveryId, jobId: delivery.job_id, attempt: delivery.attempt_count + 1 });
    const [job, secrets] = await Promise.all([
      findJob(pool, delivery.job_id),
      // A secret that does not open (a key missing from IMAGEGATE_SECRET_KEY*) fails the attempt, logged.
      findWebhookSigningSecrets(pool, secretBox, delivery.account_id).catch((error: unknown) => {
        if (error instanceof SecretBoxError) return error;
        throw error;
      }),
    ]);
    if (job === undefined) throw new Error(`webhook delivery ${deliveryId} has no job ${delivery.job_id}`);

    const attemptedAt = new Date();
    let outcome: WebhookAttemptOutcome;
    if (secrets instanceof SecretBoxError || secrets.length === 0) {
      outcome = {
        delivered: false,
        statusCode: null,
        durationMs: 0,
        responseExcerpt: null,
        error:
          secrets instanceof SecretBoxError
            ? 'the webhook secret of the account cannot be opened (the gateway lacks its key; the operator is told)'
            : 'the account has no webhook secret to sign with',
      };
      if (secrets instanceof SecretBoxError) logger.error({ err: secrets }, 'webhook secret does not open');
    } else {
      const body = webhookEventBody(delivery, job, {
        store,
        imageUrlTtlS: settings.imageUrlTtlS ?? WEBHOOK_WORKER_DEFAULTS.imageUrlTtlS,
      });
      const headers = { ...signWebhook({ id: delivery.id, timestamp: attemptedAt, body }, secrets) };
      outcome = await postWebhook(
        delivery.url,
        { body, headers },
        { policy, timeoutMs: settings.timeoutMs ?? WEBHOOK_WORKER_DEFAULTS.timeoutMs, signal },
      );
    }
    // Cut off by a shutdown: nothing is known about this attempt, so record nothing and hand the
    // entry back at once; the next worker sends the same event with the same webhook-id.
    if (signal?.aborted) return postpone(queueJob, token, new Date());

    const verdict = verdictAfter(outcome, delivery.consecutive_failures, settings.retryScheduleMs);
    metrics.webhookDeliveries.inc({ outcome: DELIVERY_OUTCOMES[verdict.status] });
    await recordWebhookAttempt(
      pool,
      deliveryId,
      {
        attemptedAt,
        durationMs: outcome.durationMs,
        statusCode: outcome.statusCode,
        responseExcerpt: outcome.responseExcerpt,
        error: outcome.error,
      },
      verdict,
    );
    if (verdict.status === 'succeeded') {
      logger.debug({ status: outcome.statusCode, ms: outcome.durationMs }, 'webhook delivered');
      return;
    }
    if (verdict.status === 'failed') {
      logger.warn({ status: outcome.statusCode, error: outcome.error }, 'webhook delivery failed; no retries left');
      return;
    }
    logger.info(
      { status: outcome.statusCode, error: outcome.error, next: verdict.nextAttemptAt },
      'webhook attempt failed',
    );
    return postpone(queueJob, token, verdict.nextAttemptAt);
  }
}
