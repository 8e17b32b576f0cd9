import type { WebhookDeliveryResource } from '@imagegate/contracts';
import { findJobsWithoutTheirWebhook } from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  verifyWebhook,
  type WebhookReceiver,
} from '../support/webhook-receiver.ts';

let stack: TestStack;
let caller: TestAccount;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*',
      // The default schedule (docs/api.md), shortened: two retries 200 ms apart, 1 s to answer.
      WEBHOOK_RETRY_SCHEDULE: '200ms,200ms',
      WEBHOOK_TIMEOUT_MS: '1000',
      // A job canceled while queued is settled by the settlement sweep (nothing else enqueues it).
      SETTLEMENT_SWEEP_INTERVAL_MS: '200',
      SETTLEMENT_SWEEP_GRACE_S: '0',
    },
  });
  caller = await stack.createAccount('webhooks');
});
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
  expect(await findJobsWithoutTheirWebhook(stack.database.pool)).toEqual([]);
});
afterAll(async () => {
  await stack?.stop();
});

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(...args);
  receivers.push(started);
  return started;
}

async function submit(body: Record<string, unknown>, account: TestAccount = caller): Promise<string> {
  const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
    apiKey: account.apiKey,
    body: { model: 'gpt-image-2.6-flare', quality: 'low', size: '1024x1024', ...body },
    headers: { prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);
  return accepted.body.id;
}

async function deliveriesOf(jobId: string, account: TestAccount = caller): Promise<WebhookDeliveryResource[]> {
  const listed = await callJson<{ data: WebhookDeliveryResource[] }>(
    `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`,
    { apiKey: account.apiKey },
  );
  expect(listed.status).toBe(200);
  return listed.body.data;
}

/** Polls the job's delivery until it is no longer pending. */
async function settledDelivery(jobId: string, timeoutMs = 15_000): Promise<WebhookDeliveryResource | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [delivery] = await deliveriesOf(jobId);
    if ((delivery && delivery.status !== 'pending') || Date.now() > deadline) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits a little longer than any retry could take, to be sure nothing more arrives. */
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 700));

const idsOf = (webhooks: ReceivedWebhook[]) => webhooks.map((webhook) => webhook.headers['webhook-id']);

describe('webhook events', () => {
  it('sends one verified image.job.succeeded with the job resource, fresh image URLs and metadata', async () => {
    const hooks = await receiver();
    const jobId = await submit({ prompt: 'a lighthouse', webhook_url: hooks.url, metadata: { order: '42' } });
    await hooks.waitFor(1);
    await quietPeriod();
    expect(hooks.received).toHaveLength(1);
    const [webhook] = hooks.received as [ReceivedWebhook];
    const event = verifyWebhook(caller.webhookSecret, webhook);
    expect(event).toMatchObject({
      type: 'image.job.succeeded',
      data: { id: jobId, object: 'image.job', status: 'succeeded', metadata: { order: '42' } },
    });
    expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    const result = event.data.result;
    const first = result !== null && 'data' in result ? result.data[0] : undefined;
    const imageUrl = first !== undefined && 'url' in first ? first.url : '';
    const image = await fetch(imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    const [delivery] = await deliveriesOf(jobId);
    expect(webhook.headers['webhook-id']).toBe(delivery?.id);
    expect(delivery).toMatchObject({
      object: 'webhook.delivery',
      job_id: jobId,
      event_type: 'image.job.succeeded',
      url: hooks.url,
      status: 'succeeded',
      next_attempt_at: null,
      // A receiver on a private address: status and timing only, never its answer (docs/api.md).
      attempts: [{ status_code: 200, error: null, response_excerpt: null }],
    });
  });

  it('sends image.job.failed with the error when the upstream refuses', async () => {
    const hooks = await receiver();
    const jobId = await submit({ prompt: 'refused [emulate:400]', webhook_url: hooks.url });
    await hooks.waitFor(1);
    await quietPeriod();
    expect(hooks.received).toHaveLength(1);
    const event = verifyWebhook(caller.webhookSecret, hooks.received[0] as ReceivedWebhook);
    expect(event).toMatchObject({ type: 'image.job.failed', data: { id: jobId, status: 'failed', result: null } });
    expect(event.data.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  });

  it('sends image.job.canceled when a queued job is canceled', async () => {
    const hooks = await receiver();
    const [providerWorker] = stack.worker.workers;
    await providerWorker?.pause();
    try {
      const jobId = await submit({ prompt: 'never starts', webhook_url: hooks.url });
      const canceled = await callJson(`${stack.url}/v1/images/jobs/${jobId}/cancel`, {
        apiKey: caller.apiKey,
        method: 'POST',
      });
      expect(canceled.body.status).toBe('canceled');
      await hooks.waitFor(1);
      const event = verifyWebhook(caller.webhookSecret, hooks.received[0] as ReceivedWebhook);
      expect(event).toMatchObject({ type: 'image.job.canceled', data: { id: jobId, status: 'canceled' } });
    } finally {
      providerWorker?.resume();
    }
    await quietPeriod();
    expect(hooks.received).toHaveLength(1);
  });

  it('sends image.job.canceled when a running job is canceled', async () => {
    const hooks = await receiver();
    const jobId = await submit({ prompt: 'slow [emulate:latency=5000]', webhook_url: hooks.url });
    const deadline = Date.now() + 5_000;
    while ((await pollJob(stack.url, caller.apiKey, jobId, 0)).status !== 'in_progress' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await callJson(`${stack.url}/v1/images/jobs/${jobId}/cancel`, { apiKey: caller.apiKey, method: 'POST' });
    await hooks.waitFor(1);
    await quietPeriod();
    expect(hooks.received).toHaveLength(1);
    const event = verifyWebhook(caller.webhookSecret, hooks.received[0] as ReceivedWebhook);
    expect(event).toMatchObject({ type: 'image.job.canceled', data: { id: jobId, status: 'canceled' } });
  });

  it('takes the URL from extra.webhook_url too, and echoes it on the job', async () => {
    const hooks = await receiver();
    const jobId = await submit({ prompt: 'nested', extra: { webhook_url: hooks.url } });
    await hooks.waitFor(1);
    const event = verifyWebhook(caller.webhookSecret, hooks.received[0] as ReceivedWebhook);
    expect(event.data).toMatchObject({ id: jobId, request: { webhook_url: hooks.url } });
    expect(event.data.request).not.toHaveProperty('extra');
  });

  it('sends nothing for a job without a webhook_url', async () => {
    const jobId = await submit({ prompt: 'no webhook' });
    await pollJob(stack.url, caller.apiKey, jobId);
    expect(await deliveriesOf(jobId)).toEqual([]);
  });
});

describe('webhook retries', () => {
  it('retries after 500s with the same webhook-id and records every attempt', async () => {
    const hooks = await receiver((index) => (index < 2 ? 500 : 204));
    const jobId = await submit({ prompt: 'flaky receiver', webhook_url: hooks.url });
    const delivery = await settledDelivery(jobId);
    expect(delivery?.status).toBe('succeeded');
    await quietPeriod();
    expect(hooks.received).toHaveLength(3);
    expect(new Set(idsOf(hooks.received))).toEqual(new Set([delivery?.id]));
    for (const webhook of hooks.received) expect(verifyWebhook(caller.webhookSecret, webhook).data.id).toBe(jobId);
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ status_code: 500, error: 'HTTP 500', response_excerpt: null }),
      expect.objectContaining({ status_code: 500, error: 'HTTP 500' }),
      expect.objectContaining({ status_code: 204, error: null }),
    ]);
    for (const attempt of delivery?.attempts ?? []) expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    // Each retry waited its (jittered) 200 ms.
    const gaps = hooks.received.slice(1).map((webhook, index) => webhook.at - (hooks.received[index]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(150);
  });

  it('marks the delivery failed after the schedule when the receiver never answers, and a manual retry sends it again', async () => {
    const hooks = await receiver(() => 'hang');
    const jobId = await submit({ prompt: 'silent receiver', webhook_url: hooks.url });
    const failed = await settledDelivery(jobId);
    expect(failed).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(failed?.attempts).toHaveLength(3);
    for (const attempt of failed?.attempts ?? []) {
      expect(attempt).toMatchObject({ status_code: null, error: 'no answer within 1000 ms' });
    }
    expect(hooks.received).toHaveLength(3);

    hooks.answer(() => 200);
    const retried = await callJson<WebhookDeliveryResource>(
      `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries/${failed?.id}/retry`,
      { apiKey: caller.apiKey, method: 'POST' },
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed?.id, status: 'pending' });
    expect((await settledDelivery(jobId))?.status).toBe('succeeded');
    expect(hooks.received).toHaveLength(4);
    expect(new Set(idsOf(hooks.received))).toEqual(new Set([failed?.id]));
    expect((await deliveriesOf(jobId))[0]?.attempts.at(-1)).toMatchObject({ status_code: 200 });
  });

  it("answers 404 for another account's deliveries and for an unknown delivery", async () => {
    const other = await stack.createAccount('other');
    const hooks = await receiver();
    const jobId = await submit({ prompt: 'mine', webhook_url: hooks.url });
    await hooks.waitFor(1);
    const theirs = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`, {
      apiKey: other.apiKey,
    });
    expect(theirs.status).toBe(404);
    const [delivery] = await deliveriesOf(jobId);
    const theirRetry = await callJson<ErrorEnvelope>(
      `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries/${delivery?.id}/retry`,
      { apiKey: other.apiKey, method: 'POST' },
    );
    expect(theirRetry.status).toBe(404);
    const unknown = await callJson<ErrorEnvelope>(
      `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries/whd_01jd00000000000000000000zz/retry`,
      { apiKey: caller.apiKey, method: 'POST' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
  });
});

describe('webhook signatures', () => {
  let webhook: ReceivedWebhook;

  beforeAll(async () => {
    const hooks = await startWebhookReceiver();
    await submit({ prompt: 'signed', webhook_url: hooks.url });
    [webhook] = (await hooks.waitFor(1)) as [ReceivedWebhook];
    await hooks.close();
  });

  it('verifies as sent', () => {
    expect(() => verifyWebhook(caller.webhookSecret, webhook)).not.toThrow();
  });

  it('fails verification when the body was tampered with', () => {
    const tampered = webhook.body.replace('"status":"succeeded"', '"status":"failed"');
    expect(tampered).not.toBe(webhook.body);
    expect(() => verifyWebhook(caller.webhookSecret, { ...webhook, body: tampered })).toThrow(/No matching signature/);
  });

  it('fails verification when the timestamp was changed, even by a second', () => {
    const headers = {
      ...webhook.headers,
      'webhook-timestamp': String(Number(webhook.headers['webhook-timestamp']) + 1),
    };
    expect(() => verifyWebhook(caller.webhookSecret, { ...webhook, headers })).toThrow(/No matching signature/);
  });

  it('fails verification when the id was changed', () => {
    const headers = { ...webhook.headers, 'webhook-id': 'whd_01jd00000000000000000000zz' };
    expect(() => verifyWebhook(caller.webhookSecret, { ...webhook, headers })).toThrow(/No matching signature/);
  });

  it('fails verification when replayed with a stale timestamp', () => {
    const headers = { ...webhook.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 600) };
    expect(() => verifyWebhook(caller.webhookSecret, { ...webhook, headers })).toThrow(/too old/);
  });

  it("fails verification with another account's secret", async () => {
    const other = await stack.createAccount('stranger');
    expect(() => verifyWebhook(other.webhookSecret, webhook)).toThrow(/No matching signature/);
  });
});

describe('webhook secret rotation', () => {
  it('signs with the old and the new secret during the grace period, then with the new one only', async () => {
    const account = await stack.createAccount('rotating');
    const rotated = await stack.admin(`/admin/v1/accounts/${account.accountId}/webhook_secret`, { method: 'POST' });
    const { webhook_secret: newSecret, previous_secret_expires_at: expiresAt } = (await rotated.json()) as {
      webhook_secret: string;
      previous_secret_expires_at: number;
    };
    expect(newSecret).toMatch(/^whsec_/);
    expect(expiresAt - Date.now() / 1000).toBeGreaterThan(86_400 - 60);

    const hooks = await receiver();
    await submit({ prompt: 'during grace', webhook_url: hooks.url }, account);
    const [during] = (await hooks.waitFor(1)) as [ReceivedWebhook];
    expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => verifyWebhook(account.webhookSecret, during)).not.toThrow();
    expect(() => verifyWebhook(newSecret, during)).not.toThrow();

    // The grace period ends.
    await stack.database.pool.query(
      `update accounts set previous_webhook_secret_expires_at = now() - interval '1 second' where id = $1`,
      [account.accountId],
    );
    await submit({ prompt: 'after grace', webhook_url: hooks.url }, account);
    const after = (await hooks.waitFor(2))[1] as ReceivedWebhook;
    expect(after.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(() => verifyWebhook(newSecret, after)).not.toThrow();
    expect(() => verifyWebhook(account.webhookSecret, after)).toThrow(/No matching signature/);
  });
  it('stores the secrets sealed (IMAGEGATE_SECRET_KEY), never in plain text, before and after a rotation', async () => {
    const account = await stack.createAccount('at-rest');
    const stored = async () =>
      (
        await stack.database.pool.query<{ current: string; previous: string | null }>(
          'select webhook_secret as current, previous_webhook_secret as previous from accounts where id = $1',
          [account.accountId],
        )
      ).rows[0];
    const key = account.webhookSecret.slice('whsec_'.length);
    expect((await stored())?.current).toMatch(/^igsec1\./);
    expect((await stored())?.current).not.toContain(key);
    const rotated = await stack.admin(`/admin/v1/accounts/${account.accountId}/webhook_secret`, { method: 'POST' });
    const { webhook_secret: newSecret } = (await rotated.json()) as { webhook_secret: string };
    const after = await stored();
    expect([after?.current, after?.previous].every((value) => value?.startsWith('igsec1.'))).toBe(true);
    expect(JSON.stringify(after)).not.toContain(key);
    expect(JSON.stringify(after)).not.toContain(newSecret.slice('whsec_'.length));
  });
});
