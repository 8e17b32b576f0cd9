import { z } from 'zod';

/**
 * `webhook_url` as the request schema takes it: a string of sane length. Whether it is an
 * acceptable target (https, public address) is the webhook URL guard's call, at submission.
 */
export const webhookUrlFieldSchema = z.string().trim().min(1).max(2048);

/**
 * Models to try, in order, when the requested one fails; each must exist (typos are 400s). Not
 * trimmed: the catalog refuses a name with whitespace (`catalog.resolve`).
 */
export const fallbacksFieldSchema = z.array(z.string().min(1).max(200)).max(4);

/**
 * `extra`: extensions some OpenAI clients can only send nested (`extra_body`): `webhook_url` and
 * `fallbacks`. Anything else is refused.
 */
export const generationExtraSchema = z
  .object({ webhook_url: webhookUrlFieldSchema.optional(), fallbacks: fallbacksFieldSchema.optional() })
  .strict();
