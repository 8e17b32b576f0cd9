import type { WebhookDeliveryResource } from '@imagegate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * A tenant scanning the operator's own services through webhooks: with `localhost` allow-listed
 * (a bare host: ports 443 and 80 only), the admin API and the emulators' control port beside it
 * are refused, and what an allow-listed private receiver answers is never readable back.
 */
describe('webhook allow-list ports', () => {
  let stack: TestStack;
  let tenant: TestAccount;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The one port the operator trusts, known before the services start.
    receiver = await startWebhookReceiver(() => 500);
    stack = await startTestStack({
      env: {
        WEBHOOK_ALLOW_HOSTS: `localhost, 127.0.0.1:${receiver.port}`,
        WEBHOOK_RETRY_SCHEDULE: '100ms',
        WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
    tenant = await stack.createAccount('port-scan');
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  function submit(webhookUrl: string) {
    return callJson<ErrorEnvelope & { id: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: tenant.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'port scan', quality: 'low', webhook_url: webhookUrl },
      headers: { prefer: 'respond-async' },
    });
  }

  async function settledDelivery(jobId: string): Promise<WebhookDeliveryResource | undefined> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { body } = await callJson<{ data: WebhookDeliveryResource[] }>(
        `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`,
        { apiKey: tenant.apiKey },
      );
      const [delivery] = body.data;
      if ((delivery && delivery.status !== 'pending') || Date.now() > deadline) return delivery;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each([
    ['the admin API over http', () => `http://localhost:${new URL(stack.url).port}/admin/v1/reports/margin`],
    ['the admin API over https', () => `https://localhost:${new URL(stack.url).port}/admin/v1/reports/margin`],
    ['the emulator control port', () => `http://localhost:${stack.emulator.port}/__emulator/faults`],
    ['the emulator control port over https', () => `https://localhost:${stack.emulator.port}/__emulator/stats`],
  ])('refuses %s on localhost with a 400 on webhook_url', async (_case, url) => {
    const refused = await submit(url());
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'webhook_url' });
  });

  it('keeps status and timing of an allow-listed private receiver, never its answer', async () => {
    const accepted = await submit(`http://127.0.0.1:${receiver.port}/hook`);
    expect(accepted.status).toBe(202);
    const delivery = await settledDelivery(accepted.body.id);
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toHaveLength(2);
    for (const attempt of delivery?.attempts ?? []) {
      expect(attempt).toMatchObject({ status_code: 500, error: 'HTTP 500', response_excerpt: null });
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(receiver.received).toHaveLength(2);
    const { body } = await callJson(`${stack.url}/v1/images/jobs/${accepted.body.id}/webhook_deliveries`, {
      apiKey: tenant.apiKey,
    });
    expect(JSON.stringify(body)).not.toContain('answered 500');
  });
});
