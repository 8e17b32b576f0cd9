import { createHmac } from 'node:crypto';
import { generateWebhookSecret } from '@imagegate/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './sign-webhook.ts';

const body = JSON.stringify({
  type: 'image.job.succeeded',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: 'job_1' },
});

describe('signWebhook', () => {
  it('signs id.timestamp.body with HMAC-SHA256 of the base64-decoded secret', () => {
    const secret = generateWebhookSecret();
    const timestamp = new Date('2026-01-01T00:00:09.900Z');
    const headers = signWebhook({ id: 'whd_1', timestamp, body }, [secret]);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`whd_1.1767225609.${body}`).digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'whd_1',
      'webhook-timestamp': '1767225609',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('is accepted by the standardwebhooks verifier', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'whd_2', timestamp: new Date(), body }, [secret]);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs with every secret, space-separated, so either one verifies during a rotation', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook({ id: 'whd_3', timestamp: new Date(), body }, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
  });

  it('refuses to sign without a secret', () => {
    expect(() => signWebhook({ id: 'whd_4', timestamp: new Date(), body }, [])).toThrow();
  });
});
