import type { WebhookDeliveryResource } from '@imagegate/contracts';
import { createLogger, secretBoxFromEnv } from '@imagegate/core';
import { createWebhookQueue, type WebhookQueue } from '@imagegate/queue';
import { findJobsWithoutTheirWebhook } from '@imagegate/testing';
import {
  loadWebhookWorkerConfig,
  type RunningWebhookWorker,
  startWebhookWorker,
  type WebhookWorkerSettings,
} from '@imagegate/webhook-worker';
import { createWebhookUrlPolicy } from '@imagegate/webhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callJson, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { type ReceivedWebhook, startWebhookReceiver, verifyWebhook } from '../support/webhook-receiver.ts';

let stack: TestStack;
let caller: TestAccount;
let queue: WebhookQueue;

beforeAll(async () => {
  stack = await startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  caller = await stack.createAccount('crashes');
  queue = createWebhookQueue({
    connection: stack.redis.redis,
    prefix: stack.redis.prefix,
    logger: createLogger({ level: 'silent' }),
  });
  // These tests run their own webhook workers.
  await stack.webhooks.close();
});
afterEach(async () => {
  expect(await findJobsWithoutTheirWebhook(stack.database.pool)).toEqual([]);
});
afterAll(async () => {
  await queue?.close();
  await stack?.stop();
});

/** A webhook worker in this process; it becomes the stack's, so the stack stops it. */
async function startWorker(settings: Partial<WebhookWorkerSettings> = {}): Promise<RunningWebhookWorker> {
  const worker = await startWebhookWorker({
    pool: stack.database.pool,
    redis: stack.redis.redis,
    queue,
    store: stack.store,
    policy: createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*' }),
    secretBox: secretBoxFromEnv(loadWebhookWorkerConfig(stack.env)),
    logger: createLogger({ level: 'silent' }),
    settings: {
      redisPrefix: stack.redis.prefix,
      retryScheduleMs: [200],
      timeoutMs: 10_000,
      // A dead worker's delivery is taken over within about a second.
      lockDurationMs: 1_000,
      stalledIntervalMs: 300,
      sweepIntervalMs: 3_600_000,
      ...settings,
    },
  });
  stack.webhooks = worker;
  return worker;
}

async function submit(webhookUrl: string): Promise<string> {
  const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
    apiKey: caller.apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt: 'crash', quality: 'low', webhook_url: webhookUrl },
    headers: { prefer: 'respond-async' },
  });
  return accepted.body.id;
}

async function deliveryOf(jobId: string): Promise<WebhookDeliveryResource | undefined> {
  const { body } = await callJson<{ data: WebhookDeliveryResource[] }>(
    `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`,
    { apiKey: caller.apiKey },
  );
  return body.data[0];
}

describe('webhook crashes', () => {
  it('delivers the event of a worker killed mid-delivery, from a new worker, with the same webhook-id', async () => {
    const hooks = await startWebhookReceiver((index) => (index === 0 ? 'hang' : 200));
    try {
      const first = await startWorker();
      const jobId = await submit(hooks.url);
      await hooks.waitFor(1); // the first attempt is in flight; the receiver holds it
      // The worker dies: it stops renewing its lock and nothing it does from here on reaches the queue.
      await first.worker.close(true);

      await startWorker();
      const [held, redelivered] = (await hooks.waitFor(2)) as [ReceivedWebhook, ReceivedWebhook];
      expect(redelivered).toBeDefined();
      expect(redelivered.headers['webhook-id']).toBe(held.headers['webhook-id']);
      expect(verifyWebhook(caller.webhookSecret, redelivered)).toMatchObject({
        type: 'image.job.succeeded',
        data: { id: jobId },
      });
      const deadline = Date.now() + 5_000;
      while ((await deliveryOf(jobId))?.status !== 'succeeded' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const delivery = await deliveryOf(jobId);
      expect(delivery).toMatchObject({ id: held.headers['webhook-id'], status: 'succeeded' });

      // The dead worker's held request ends; its late record changes nothing.
      hooks.release(500);
      while (((await deliveryOf(jobId))?.attempts.length ?? 0) < 2 && Date.now() < deadline + 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await deliveryOf(jobId)).toMatchObject({ status: 'succeeded' });
    } finally {
      await hooks.close();
    }
  });

  it('delivers the webhook of a job whose queue entry Redis lost, through the sweep', async () => {
    await stack.webhooks.close(); // no webhook worker while the job finishes
    const hooks = await startWebhookReceiver();
    try {
      const jobId = await submit(hooks.url);
      expect((await pollJob(stack.url, caller.apiKey, jobId)).status).toBe('succeeded');
      await queue.obliterate({ force: true }); // Redis loses the delivery's entry
      // The delivery was written with the job's terminal update, so Postgres still knows it is owed.
      const owed = await deliveryOf(jobId);
      expect(owed).toMatchObject({ status: 'pending', attempts: [] });

      const worker = await startWorker({ sweepGraceSeconds: 0 });
      expect(await worker.sweep()).toBe(1);
      const [webhook] = (await hooks.waitFor(1)) as [ReceivedWebhook];
      expect(webhook.headers['webhook-id']).toBe(owed?.id);
      expect(verifyWebhook(caller.webhookSecret, webhook).data.id).toBe(jobId);
    } finally {
      await hooks.close();
    }
  });
});
