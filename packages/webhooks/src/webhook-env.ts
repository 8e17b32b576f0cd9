import { z } from 'zod';
import { parseAllowHosts } from './webhook-url-policy.ts';

/** Environment the webhook URL guard reads, in the ingress (submission) and the webhook worker (delivery). */
export const webhookUrlEnvSchema = z.object({
  /**
   * `host:port` pairs the operator trusts with webhooks, comma-separated (default none): they may
   * use plain http and resolve to loopback, private or link-local addresses. A bare host means
   * ports 443 and 80 only; `host:*` every port.
   */
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default('')
    .superRefine((value, context) => {
      try {
        parseAllowHosts(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
});
