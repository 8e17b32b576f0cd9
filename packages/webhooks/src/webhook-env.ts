import { z } from 'zod';

/** Environment the webhook URL guard reads, in the ingress (submission) and the webhook worker (delivery). */
export const webhookUrlEnvSchema = z.object({
  /**
   * Hosts the operator trusts with webhooks, comma-separated (default none): they may use plain
   * http and resolve to loopback, private or link-local addresses.
   */
  WEBHOOK_ALLOW_HOSTS: z.string().default(''),
});
