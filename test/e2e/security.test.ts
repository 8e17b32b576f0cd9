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
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'webhook_url',
    });
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

/** The admin API takes exactly `Authorization: Bearer <ADMIN_TOKEN>` (scheme in any case), nothing looser. */
describe('admin authorization header', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  function adminWith(authorization: string) {
    return callJson<ErrorEnvelope>(`${stack.url}/admin/v1/reports/margin`, { headers: { authorization } });
  }

  it.each([
    ['Bearer', (token: string) => `Bearer ${token}`],
    ['bearer', (token: string) => `bearer ${token}`],
    ['BEARER', (token: string) => `BEARER ${token}`],
  ])('accepts the %s scheme with one space', async (_case, header) => {
    expect((await adminWith(header(stack.adminToken))).status).toBe(200);
  });

  it.each([
    ['a bare token', (token: string) => token],
    ['a tab after the scheme', (token: string) => `Bearer\t${token}`],
    ['two spaces after the scheme', (token: string) => `Bearer  ${token}`],
    ['another scheme', (token: string) => `Basic ${token}`],
    ['a scheme glued to the token', (token: string) => `Bearer${token}`],
    ['the token twice', (token: string) => `Bearer ${token} ${token}`],
    ['a token one character short', (token: string) => `Bearer ${token.slice(0, -1)}`],
    ['a token with a character more', (token: string) => `Bearer ${token}x`],
  ])('refuses %s with a 401 invalid_admin_token', async (_case, header) => {
    const refused = await adminWith(header(stack.adminToken));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_admin_token' });
  });
});
