import type { GenerationRequest } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import { checkWebhookUrl, type WebhookUrlPolicy } from '@imagegate/webhooks';

/**
 * The request's webhook URL, from `webhook_url` or `extra.webhook_url`, once the SSRF guard has
 * passed it (a 400 on `webhook_url` otherwise); undefined when the request asks for no webhook.
 */
export async function webhookUrlOfRequest(
  body: Pick<GenerationRequest, 'webhook_url' | 'extra'>,
  policy: WebhookUrlPolicy,
): Promise<string | undefined> {
  const topLevel = body.webhook_url;
  const nested = body.extra?.webhook_url;
  if (topLevel !== undefined && nested !== undefined && topLevel !== nested) {
    throw new InvalidRequestError('Give webhook_url once: at the top level or in extra, not both.', {
      param: 'extra.webhook_url',
    });
  }
  const raw = topLevel ?? nested;
  if (raw === undefined) return undefined;
  return (await checkWebhookUrl(raw, policy)).url.href;
}
