import { createHmac } from 'node:crypto';

/** The Standard Webhooks v1 headers of one attempt. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The HMAC key of a `whsec_…` secret: the base64 after the prefix, decoded. */
function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Signs `${id}.${unix seconds}.${body}` with HMAC-SHA256, once per secret: during a rotation's grace
 * period both the new and the old secret sign, space-separated, so a receiver holding either one
 * verifies. `body` must be the exact string sent.
 */
export function signWebhook(
  message: { id: string; timestamp: Date; body: string },
  secrets: readonly string[],
): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new Error('a webhook needs at least one signing secret');
  const seconds = String(Math.floor(message.timestamp.getTime() / 1000));
  const content = `${message.id}.${seconds}.${message.body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', signingKey(secret)).update(content, 'utf8').digest('base64')}`,
  );
  return { 'webhook-id': message.id, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
}
