import { createLogger } from '@imagegate/core';
import { loadSettlementConfig, startSettlementWorkerFromConfig } from '@imagegate/settlement-worker';
import { waitForSettlements } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { sampleValue, seriesOf } from '../support/prometheus-text.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: TestStack;
let account: TestAccount;
let receiver: WebhookReceiver;

beforeAll(async () => {
  stack = await startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  account = await stack.createAccount('metrics');
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const scrape = async (): Promise<string> => {
  const response = await fetch(`${stack.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

const MODEL = 'gpt-image-2.6-flare';

describe('/metrics after a generation and a failure', () => {
  it('moves the request, job, upstream, settlement, webhook and money counters, with bounded labels', async () => {
    const before = await scrape();
    const ok = await callJson<{ extra: { job_id: string } }>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: MODEL, prompt: 'a lighthouse', webhook_url: receiver.url },
    });
    expect(ok.status).toBe(200);
    stack.emulator.faults.enqueue({ type: 'moderation' });
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: MODEL, prompt: 'doomed' },
    });
    expect(refused.status).toBe(400);
    await waitForSettlements(stack.database.pool);
    await receiver.waitFor(1);
    // The delivery is recorded just after the receiver answers.
    for (let tries = 0; tries < 100; tries += 1) {
      if (sampleValue(await scrape(), 'imagegate_webhook_deliveries_total', { outcome: 'delivered' }) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);

    const route = { route: '/v1/images/generations', method: 'POST' };
    expect(moved('imagegate_http_requests_total', { ...route, status: '200' })).toBe(1);
    expect(moved('imagegate_http_requests_total', { ...route, status: '400' })).toBe(1);
    expect(moved('imagegate_http_request_duration_seconds_count', route)).toBe(2);

    const job = { operation: 'generate', provider: 'openai' };
    expect(moved('imagegate_jobs_submitted_total', job)).toBe(2);
    expect(moved('imagegate_jobs_finished_total', { ...job, outcome: 'succeeded' })).toBe(1);
    expect(moved('imagegate_jobs_finished_total', { ...job, outcome: 'moderation_blocked' })).toBe(1);

    expect(moved('imagegate_upstream_calls_total', { provider: 'openai', status: 'ok' })).toBe(1);
    expect(moved('imagegate_upstream_calls_total', { provider: 'openai', status: 'moderation_blocked' })).toBe(1);
    expect(moved('imagegate_upstream_call_duration_seconds_count', { provider: 'openai' })).toBe(2);
    expect(moved('imagegate_upstream_attempts_total', { provider: 'openai', outcome: 'succeeded' })).toBe(1);
    expect(moved('imagegate_upstream_attempts_total', { provider: 'openai', outcome: 'failed' })).toBe(1);

    expect(moved('imagegate_settlement_lag_seconds_count')).toBe(2);
    expect(moved('imagegate_settlement_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(moved('imagegate_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);

    expect(moved('imagegate_usd_held_total')).toBeGreaterThan(0);
    expect(moved('imagegate_usd_charged_total')).toBeGreaterThan(0);
    // The failed job's whole hold and what the success did not use come back.
    expect(moved('imagegate_usd_refunded_total')).toBeGreaterThan(0);
    expect(moved('imagegate_usd_charged_total') + moved('imagegate_usd_refunded_total')).toBeCloseTo(
      moved('imagegate_usd_held_total'),
      6,
    );
    expect(moved('imagegate_usd_upstream_cost_total')).toBeGreaterThan(0);

    // No job id, account or prompt in any label.
    expect(after).not.toContain(ok.body.extra.job_id);
    expect(after).not.toContain(account.accountId);
    expect(after).not.toContain('lighthouse');
  });

  it('labels a request by its route template, and an unknown path as unmatched', async () => {
    await callJson(`${stack.baseURL}/images/jobs/job_doesnotexist`, { apiKey: account.apiKey });
    await callJson(`${stack.baseURL}/no/such/thing/42`, { apiKey: account.apiKey });
    const text = await scrape();
    const routes = new Set(seriesOf(text, 'imagegate_http_requests_total').map((labels) => labels.route));
    expect(routes).toContain('/v1/images/jobs/{id}');
    expect(routes).toContain('unmatched');
    expect([...routes].some((route) => route?.includes('job_doesnotexist') || route?.includes('42'))).toBe(false);
  });

  it('shows each queue’s depth, in-flight, delayed and oldest-waiting age', async () => {
    const text = await scrape();
    const queues = seriesOf(text, 'imagegate_queue_waiting').map((labels) => labels.queue);
    expect(queues).toEqual(expect.arrayContaining(['provider-openai', 'settlement', 'webhooks']));
    for (const name of [
      'imagegate_queue_active',
      'imagegate_queue_delayed',
      'imagegate_queue_oldest_waiting_age_seconds',
    ]) {
      expect(seriesOf(text, name).length).toBe(queues.length);
    }
  });
});

describe('/readyz and /healthz', () => {
  it('/readyz checks Postgres, Redis and the object store; /healthz stays the liveness check', async () => {
    const ready = await callJson(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok', object_store: 'ok' });
    const health = await callJson(`${stack.url}/healthz`);
    expect(health.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  it('/readyz answers 503 naming the object store when its bucket is gone', async () => {
    await stack.restartIngress({ S3_BUCKET: `missing-${Date.now()}` });
    try {
      const ready = await callJson(`${stack.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'degraded',
        postgres: 'ok',
        redis: 'ok',
        object_store: 'unavailable',
      });
    } finally {
      await stack.restartIngress({ S3_BUCKET: stack.store.bucket });
    }
  });
});

describe('a worker process on its own', () => {
  it('serves its metrics on METRICS_PORT', async () => {
    const worker = await startSettlementWorkerFromConfig(
      loadSettlementConfig({ ...stack.env, METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }),
      createLogger({ level: 'silent' }),
    );
    try {
      expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${worker.metricsUrl}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('# TYPE imagegate_settlement_batch_size histogram');
      // Node's process metrics too (prom-client's defaults).
      expect(text).toContain('# TYPE process_cpu_seconds_total counter');
      expect((await fetch(`${worker.metricsUrl}/other`)).status).toBe(404);
    } finally {
      await worker.close();
    }
  });
});
