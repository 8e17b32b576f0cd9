import { z } from 'zod';

/**
 * `webhook_url` as the request schema takes it: a string of sane length. Whether it is an
 * acceptable target (https, public address) is the webhook URL guard's call, at submission.
 */
export const webhookUrlFieldSchema = z.string().trim().min(1).max(2048);

/**
 * `extra`: extensions some OpenAI clients can only send nested (`extra_body`). For now it carries
 * only `webhook_url`; anything else (`fallbacks` included, until fallbacks exist) is refused.
 */
export const generationExtraSchema = z.object({ webhook_url: webhookUrlFieldSchema.optional() }).strict();
