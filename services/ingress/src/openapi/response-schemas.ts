import { ERROR_CODES, ERROR_TYPES } from '@imagegate/core';
import { z } from 'zod';

/**
 * The shapes of what the API answers, for the OpenAPI document. Requests are described by the very
 * schemas the routes parse with; answers are built by renderers (`@imagegate/resources`, the
 * routes), so these name their fields and types and leave room for additions (`looseObject`).
 */

const unixSeconds = z.int().describe('Unix seconds');
const nullableSeconds = unixSeconds.nullable();
const usd = z.number().describe('USD');

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.enum(ERROR_TYPES),
      param: z.string().nullable(),
      code: z.enum(ERROR_CODES).nullable().describe('One of docs/error-codes.md; null on a 500.'),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'The OpenAI error envelope every error is answered with.' });

const routingAttemptSchema = z.looseObject({
  provider: z.string(),
  model: z.string(),
  status: z.string(),
  error_code: z.string().nullable().optional(),
  duration_ms: z.number().optional(),
});
const routingSchema = z.object({ attempts: z.array(routingAttemptSchema) });

/** `POST /v1/chat/completions`: one assistant message with a short text and the images. */
export const chatCompletionSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: unixSeconds,
    model: z.string(),
    choices: z.array(
      z.looseObject({
        index: z.int(),
        message: z.looseObject({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          images: z.array(z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) })),
        }),
        finish_reason: z.string(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.int(), completion_tokens: z.int(), total_tokens: z.int() }).optional(),
    extra: z.looseObject({ job_id: z.string(), model: z.string() }),
  })
  .meta({ id: 'ChatCompletion', description: "OpenAI's chat completion with OpenRouter's `message.images`." });

export const imagesResponseSchema = z
  .looseObject({
    created: unixSeconds,
    data: z.array(z.union([z.object({ url: z.string() }), z.object({ b64_json: z.string() })])),
    size: z.string(),
    quality: z.string(),
    output_format: z.string(),
    background: z.string(),
    usage: z.record(z.string(), z.unknown()).optional(),
    extra: z.looseObject({ job_id: z.string(), model: z.string(), routing: routingSchema }),
  })
  .meta({ id: 'ImagesResponse', description: "OpenAI's images response, with the job in `extra`." });

export const jobResourceSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('image.job'),
    status: z.enum(['queued', 'in_progress', 'succeeded', 'failed', 'canceled']),
    model: z.string(),
    operation: z.enum(['generate', 'edit', 'chat']),
    created_at: unixSeconds,
    started_at: nullableSeconds,
    completed_at: nullableSeconds,
    queue_position: z.int().nullable(),
    estimated_start_at: nullableSeconds,
    request: z.record(z.string(), z.unknown()),
    result: imagesResponseSchema.nullable(),
    error: errorEnvelopeSchema.shape.error.nullable(),
    billing: z.looseObject({
      held_usd: usd,
      charged_usd: usd,
      refunded_usd: usd,
      unit_price_usd: usd,
      markup: z.number(),
      upstream_cost_usd: usd.nullable(),
    }),
    routing: routingSchema,
    metadata: z.record(z.string(), z.string()),
  })
  .meta({ id: 'Job', description: 'An image job (docs/api.md, "Jobs").' });

const listOf = (item: z.ZodType, id: string) =>
  z
    .looseObject({
      object: z.literal('list'),
      data: z.array(item),
      has_more: z.boolean().optional(),
      first_id: z.string().nullable().optional(),
      last_id: z.string().nullable().optional(),
    })
    .meta({ id });

export const jobListSchema = listOf(jobResourceSchema, 'JobList');

export const webhookDeliverySchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('webhook.delivery'),
    job_id: z.string(),
    event_type: z.string(),
    url: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    created_at: unixSeconds,
    next_attempt_at: nullableSeconds,
    completed_at: nullableSeconds,
    attempts: z.array(
      z.object({
        attempted_at: unixSeconds,
        status_code: z.int().nullable(),
        duration_ms: z.int().nullable(),
        response_excerpt: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookDeliveryListSchema = listOf(webhookDeliverySchema, 'WebhookDeliveryList');

export const ledgerEntrySchema = z
  .object({
    id: z.string(),
    object: z.literal('ledger_entry'),
    type: z.string(),
    amount_usd: usd,
    held_usd: usd,
    job_id: z.string().nullable(),
    reason: z.string().nullable(),
    created_at: unixSeconds,
  })
  .meta({ id: 'LedgerEntry' });

export const ledgerPageSchema = listOf(ledgerEntrySchema, 'LedgerPage');

export const accountSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('account'),
    name: z.string().nullable(),
    balance_usd: usd,
    held_usd: usd,
    available_usd: usd,
    markup: z.number().optional(),
    spend_90d_usd: usd.optional(),
    next_tier: z.object({ at_spend_usd: usd, markup: z.number() }).nullable().optional(),
    created_at: unixSeconds.optional(),
  })
  .meta({ id: 'Account' });

export const modelSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('model'),
    created: unixSeconds,
    owned_by: z.string(),
    description: z.string().optional(),
    aliases: z.array(z.string()),
    capabilities: z.record(z.string(), z.unknown()),
    pricing: z.record(z.string(), z.unknown()),
    lifecycle: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Model', description: 'A catalog model with its capabilities, lifecycle and prices at your markup.' });

export const modelListSchema = listOf(modelSchema, 'ModelList');

export const createdAccountSchema = accountSchema.extend({ webhook_secret: z.string() }).meta({ id: 'CreatedAccount' });
export const creditResultSchema = z.object({ entry: ledgerEntrySchema, account: accountSchema });
export const createdApiKeySchema = z.object({
  id: z.string(),
  object: z.literal('api_key'),
  account_id: z.string(),
  name: z.string(),
  prefix: z.string(),
  key: z.string().describe('Shown only in this response.'),
});
export const revokedApiKeySchema = z.object({
  id: z.string(),
  object: z.literal('api_key'),
  revoked: z.literal(true),
  revoked_at: unixSeconds,
});
export const rotatedWebhookSecretSchema = z.object({
  id: z.string(),
  object: z.literal('account'),
  webhook_secret: z.string(),
  previous_secret_expires_at: nullableSeconds,
});
export const marginReportSchema = z.record(z.string(), z.unknown()).meta({ id: 'MarginReport' });
export const healthSchema = z.looseObject({ status: z.enum(['ok', 'degraded']) });

export const accountListSchema = listOf(accountSchema, 'AccountList');

export const apiKeySchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('api_key'),
    account_id: z.string(),
    name: z.string(),
    hint: z.string().describe("The key's first characters (the key itself is never stored)."),
    created_at: unixSeconds,
    revoked_at: nullableSeconds,
  })
  .meta({ id: 'ApiKey' });

export const apiKeyListSchema = listOf(apiKeySchema, 'ApiKeyList');

export const providerStatusSchema = z
  .looseObject({
    provider: z.string(),
    queue: z.object({
      waiting: z.int(),
      active: z.int(),
      delayed: z.int(),
      oldest_waiting_age_s: z.int().nullable(),
    }),
    limit: z.object({ requests_per_minute: z.int(), concurrency: z.int(), max_queued: z.int() }),
    calls_last_minute: z.int().describe('Upstream calls the shared limiter let go in the last 60 s.'),
    paused_until: nullableSeconds.describe('Set while an upstream 429 pauses every call to the provider.'),
    workers: z.array(z.object({ id: z.string(), last_seen_at: unixSeconds })),
    recent_failures: z
      .array(z.object({ code: z.string(), count: z.int() }))
      .describe('Failed upstream attempts of the last hour, by error code.'),
  })
  .meta({ id: 'ProviderStatus' });

export const providerStatusListSchema = listOf(providerStatusSchema, 'ProviderStatusList');

export const dailySpendSchema = z
  .looseObject({
    object: z.literal('list'),
    data: z.array(
      z.object({ date: z.string().describe('YYYY-MM-DD'), spend_usd: usd, jobs: z.int().describe('Jobs charged') }),
    ),
    total_usd: usd,
  })
  .meta({ id: 'DailySpend' });

export const quoteSchema = z
  .looseObject({
    object: z.literal('quote'),
    model: z.string(),
    operation: z.enum(['generate', 'edit']),
    n: z.int(),
    size: z.string(),
    quality: z.string(),
    per_image_usd: usd,
    price_usd: usd.describe('Charged when the model delivers all n images.'),
    hold_usd: usd.describe('Held at submission: the dearest model of the route × n.'),
    markup: z.number(),
    currency: z.literal('usd'),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'Quote' });
