import type { RecordedSuccess } from '@imagegate/contracts';
import type { GatewayError } from '@imagegate/core';
import { finishJobUnsuccessfully, type Pool, type TerminalTransition } from '@imagegate/db';
import { publishJobEvent } from './job-events.ts';
import type { Redis } from './redis-connection.ts';
import { enqueueSettlement, type SettlementStream } from './settlement-stream.ts';
import { enqueueWebhookDelivery, type WebhookQueue } from './webhook-queue.ts';

/** Where the end of a job is announced. */
export interface JobEndingChannels {
  redis: Redis;
  /** Prefix of every Redis key and channel (`REDIS_PREFIX`). */
  redisPrefix: string;
  settlementStream: SettlementStream;
  webhookQueue: WebhookQueue;
}

/** The channels of a service whose deps carry them (the ingress's, a worker's). */
export function jobEndingChannelsOf(deps: {
  redis: Redis;
  settlementStream: SettlementStream;
  webhookQueue: WebhookQueue;
  settings: { redisPrefix: string };
}): JobEndingChannels {
  return {
    redis: deps.redis,
    redisPrefix: deps.settings.redisPrefix,
    settlementStream: deps.settlementStream,
    webhookQueue: deps.webhookQueue,
  };
}

export type TerminalStatus = 'succeeded' | 'failed' | 'canceled';

/**
 * THE end of a job, once Postgres recorded it (the caller's statement made the transition and wrote
 * the webhook delivery with it, outbox): tells waiting clients, asks for the hold to be settled, and
 * sends the webhook. Every ending calls this: the worker's success and failure, the reconciler, a
 * cancel, the ingress when it cannot enqueue. What a crash here loses, the settlement and webhook
 * sweeps find in Postgres. A success's event carries what its statement recorded
 * (`completeJobWithImages`), so a waiting request answers without reading the job back.
 */
export async function announceJobEnd(
  channels: JobEndingChannels,
  jobId: string,
  status: TerminalStatus,
  transition: TerminalTransition & { recorded?: RecordedSuccess },
): Promise<void> {
  const { webhookDeliveryId, recorded } = transition;
  await Promise.all([
    publishJobEvent(channels.redis, channels.redisPrefix, recorded ? { jobId, status, recorded } : { jobId, status }),
    enqueueSettlement(channels.settlementStream, jobId),
    webhookDeliveryId === null ? undefined : enqueueWebhookDelivery(channels.webhookQueue, webhookDeliveryId),
  ]);
}

/**
 * Ends a job that did not succeed, `failed` or `canceled` with `error` (a conditional update, so
 * only the first of racing endings counts), and announces it. Returns whether this call ended it.
 */
export async function endJobUnsuccessfully(
  pool: Pool,
  channels: JobEndingChannels,
  jobId: string,
  outcome: { status: 'failed' | 'canceled'; error: GatewayError },
): Promise<boolean> {
  const transition = await finishJobUnsuccessfully(pool, jobId, {
    status: outcome.status,
    errorStatus: outcome.error.status,
    error: outcome.error.toErrorObject(),
  });
  if (transition === undefined) return false;
  await announceJobEnd(channels, jobId, outcome.status, transition);
  return true;
}
