import type { WebhookDeliveryResource } from '@imagegate/contracts';
import { findJobsWithoutTheirWebhook } from '@imagegate/testing';
import { type HostResolver, systemHostResolver } from '@imagegate/webhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** DNS as the tests want it: fixed answers for made-up names, the system's for the rest. */
const dns = new Map<string, string>([
  ['internal.example', '10.1.2.3'],
  ['metadata.example', '169.254.169.254'],
  // Public at submission; the rebinding test points it at loopback before delivery.
  ['rebind.example', '93.184.216.34'],
]);
const resolveHost: HostResolver = async (hostname) => {
  const address = dns.get(hostname);
  return address === undefined ? systemHostResolver(hostname) : [{ address, family: address.includes(':') ? 6 : 4 }];
};

let stack: TestStack;
let caller: TestAccount;
let target: WebhookReceiver;

beforeAll(async () => {
  stack = await startTestStack({
    resolveHost,
    env: {
      // Only `localhost` is trusted (on every port: the receivers' ports are random); 127.0.0.1 is not.
      WEBHOOK_ALLOW_HOSTS: 'localhost:*',
      WEBHOOK_RETRY_SCHEDULE: '100ms',
      WEBHOOK_TIMEOUT_MS: '1000',
    },
  });
  caller = await stack.createAccount('ssrf');
  target = await startWebhookReceiver();
});
afterEach(async () => {
  expect(await findJobsWithoutTheirWebhook(stack.database.pool)).toEqual([]);
});
afterAll(async () => {
  await target?.close();
  await stack?.stop();
});

function submit(webhook: Record<string, unknown>) {
  return callJson<ErrorEnvelope & { id: string }>(`${stack.url}/v1/images/generations`, {
    apiKey: caller.apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt: 'ssrf', quality: 'low', ...webhook },
    headers: { prefer: 'respond-async' },
  });
}

async function settledDelivery(jobId: string, timeoutMs = 10_000): Promise<WebhookDeliveryResource | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await callJson<{ data: WebhookDeliveryResource[] }>(
      `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`,
      { apiKey: caller.apiKey },
    );
    const [delivery] = body.data;
    if ((delivery && delivery.status !== 'pending') || Date.now() > deadline) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhook_url at submission', () => {
  it.each([
    ['loopback over http', () => `http://127.0.0.1:${target.port}/hook`, /https/],
    ['loopback over https', () => `https://127.0.0.1:${target.port}/hook`, /loopback address/],
    ['the cloud metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/', /https/],
    ['the metadata endpoint over https', () => 'https://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['IPv6 loopback', () => 'https://[::1]/hook', /loopback address/],
    ['IPv4 loopback mapped into IPv6', () => 'https://[::ffff:127.0.0.1]/hook', /loopback address/],
    ['a private address', () => 'https://192.168.1.20/hook', /private address/],
    ['a host name resolving to 10.x', () => 'https://internal.example/hook', /'internal.example' resolves to 10.1.2.3/],
    ['a host name resolving to metadata', () => 'https://metadata.example/', /cloud metadata address/],
    ['a host that does not resolve', () => 'https://no-such-host.invalid/hook', /does not resolve/],
    ['plain http to a public host', () => 'http://example.com/hook', /must use https/],
    ['not a URL', () => 'hooks please', /not a valid absolute URL/],
  ])('refuses %s with a 400 on webhook_url', async (_case, url, message) => {
    for (const field of [{ webhook_url: url() }, { extra: { webhook_url: url() } }]) {
      const refused = await submit(field);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: 'webhook_url',
      });
      expect(refused.body.error.message).toMatch(message);
    }
    expect(target.received).toHaveLength(0);
  });

  it('creates no job and holds nothing for a refused URL', async () => {
    const account = await stack.createAccount('refused', 1);
    const refused = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'x', webhook_url: 'https://10.0.0.1/' },
    });
    expect(refused.status).toBe(400);
    const jobs = await callJson<{ data: unknown[] }>(`${stack.url}/v1/images/jobs`, { apiKey: account.apiKey });
    expect(jobs.body.data).toEqual([]);
    const balance = await callJson(`${stack.url}/v1/account`, { apiKey: account.apiKey });
    expect(balance.body).toMatchObject({ held_usd: 0, available_usd: 1 });
  });

  it.each([
    ['extra.fallbacks[0]', { extra: { fallbacks: ['no-such-model'] } }, 'model_not_found'],
    ['extra.other', { extra: { other: 1 } }, 'unknown_parameter'],
    [
      'extra.webhook_url',
      { webhook_url: 'https://a.example/', extra: { webhook_url: 'https://b.example/' } },
      'invalid_value',
    ],
  ])('refuses %s', async (param, body, code) => {
    const refused = await submit(body);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
  });
});

describe('webhook_url at delivery', () => {
  it('does not follow a redirect to loopback: the attempt fails and loopback gets nothing', async () => {
    const redirecting = await startWebhookReceiver(() => ({ redirect: `http://127.0.0.1:${target.port}/hook` }));
    try {
      const accepted = await submit({ webhook_url: `http://localhost:${redirecting.port}/hook` });
      expect(accepted.status).toBe(202);
      const delivery = await settledDelivery(accepted.body.id);
      expect(delivery?.status).toBe('failed');
      expect(delivery?.attempts).toEqual([
        expect.objectContaining({ status_code: 302, error: 'HTTP 302: redirects are not followed' }),
        expect.objectContaining({ status_code: 302 }),
      ]);
      expect(redirecting.received).toHaveLength(2);
      expect(target.received).toHaveLength(0);
    } finally {
      await redirecting.close();
    }
  });

  it('fails the delivery, without connecting, when DNS points the host at loopback after submission', async () => {
    const accepted = await submit({ webhook_url: `https://rebind.example:${target.port}/hook` });
    expect(accepted.status).toBe(202);
    dns.set('rebind.example', '127.0.0.1');
    const delivery = await settledDelivery(accepted.body.id);
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toHaveLength(2);
    for (const attempt of delivery?.attempts ?? []) {
      expect(attempt).toMatchObject({ status_code: null });
      expect(attempt.error).toMatch(/loopback address \('rebind.example' resolves to 127.0.0.1\)/);
    }
    expect(target.received).toHaveLength(0);
  });
});
