import { chatRequestSchema, editRequestSchema, generationRequestSchema } from '@imagegate/contracts';
import { z } from 'zod';
import { createAccountSchema, createKeySchema, creditsSchema, marginQuerySchema } from '../routes/admin.ts';
import { EDITS_PATH } from '../routes/edits.ts';
import type { ApiRoute, RouteAnswer } from './api-route.ts';
import {
  accountSchema,
  chatCompletionSchema,
  createdAccountSchema,
  createdApiKeySchema,
  creditResultSchema,
  healthSchema,
  imagesResponseSchema,
  jobListSchema,
  jobResourceSchema,
  ledgerPageSchema,
  marginReportSchema,
  modelListSchema,
  modelSchema,
  revokedApiKeySchema,
  rotatedWebhookSecretSchema,
  webhookDeliveryListSchema,
  webhookDeliverySchema,
} from './response-schemas.ts';

/** `limit` and `after` of the paged lists (the routes check them with the same bounds). */
const pageQuery = (idPrefix: string) =>
  z.object({
    limit: z.int().min(1).max(100).default(20).optional(),
    after: z.string().startsWith(`${idPrefix}_`).optional().describe('Return the page after this id.'),
  });

const submitHeaders = {
  'Idempotency-Key': 'Replays the first answer for the same key and body (1 to 255 printable ASCII characters).',
  Prefer: '`respond-async` for an immediate 202 with the job, or `wait=N` seconds before a 202.',
};

/** The answers of an image submission: the images, or 202 with the job still running. */
const submissionAnswers: RouteAnswer[] = [
  { status: 200, description: 'The images (the job succeeded while the request waited).', json: imagesResponseSchema },
  {
    status: 202,
    description:
      'The job, still queued or running; poll its Location (after Retry-After seconds when a provider limit holds it back).',
    json: jobResourceSchema,
  },
];

const ok = (json: z.ZodType, description = 'OK'): RouteAnswer[] => [{ status: 200, description, json }];

/**
 * Every endpoint the ingress serves. The OpenAPI document, the 405 answers and the metrics' route
 * label all come from this list; a test checks it against the routes express has registered.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/v1/images/generations',
    operationId: 'createImage',
    summary: 'Generate images from a prompt (OpenAI-compatible), waiting for them or as a job.',
    tag: 'Images',
    auth: 'api_key',
    jsonBody: generationRequestSchema,
    headers: submitHeaders,
    answers: submissionAnswers,
  },
  {
    method: 'post',
    path: EDITS_PATH,
    operationId: 'createImageEdit',
    summary: 'Edit or extend images with a prompt and an optional mask (OpenAI-compatible).',
    tag: 'Images',
    auth: 'api_key',
    jsonBody: editRequestSchema,
    multipartBody: {
      fields: editRequestSchema,
      files: [
        { name: 'image', many: false, required: false, description: 'One input image (or send `image[]`).' },
        { name: 'image[]', many: true, required: false, description: 'Input images, in order.' },
        {
          name: 'mask',
          many: false,
          required: false,
          description: 'A PNG whose transparent pixels mark what to edit.',
        },
      ],
    },
    headers: submitHeaders,
    answers: submissionAnswers,
  },
  {
    method: 'post',
    path: '/v1/chat/completions',
    operationId: 'createChatCompletion',
    summary:
      'Images through chat (OpenRouter’s and Vercel’s convention): the assistant message carries `images`; `stream: true` sends `chat.completion.chunk`s with `delta.images`.',
    tag: 'Chat',
    auth: 'api_key',
    jsonBody: chatRequestSchema,
    headers: submitHeaders,
    answers: [
      {
        status: 200,
        description: 'The chat completion (or, with `stream: true`, a text/event-stream of chunks).',
        json: chatCompletionSchema,
      },
      {
        status: 202,
        description:
          'The job, still queued or running; poll its Location (after Retry-After seconds when a provider limit holds it back).',
        json: jobResourceSchema,
      },
    ],
  },
  {
    method: 'get',
    path: '/v1/images/jobs',
    operationId: 'listJobs',
    summary: "The caller's jobs, newest first.",
    tag: 'Jobs',
    auth: 'api_key',
    query: pageQuery('job'),
    answers: ok(jobListSchema),
  },
  {
    method: 'get',
    path: '/v1/images/jobs/:id',
    operationId: 'getJob',
    summary: 'One job: status, queue position, result, billing and routing.',
    tag: 'Jobs',
    auth: 'api_key',
    answers: ok(jobResourceSchema),
  },
  {
    method: 'post',
    path: '/v1/images/jobs/:id/cancel',
    operationId: 'cancelJob',
    summary: 'Cancel a queued or running job (a finished job is returned as it is).',
    tag: 'Jobs',
    auth: 'api_key',
    answers: ok(jobResourceSchema),
  },
  {
    method: 'get',
    path: '/v1/images/jobs/:id/webhook_deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "A job's webhook deliveries with every attempt.",
    tag: 'Webhooks',
    auth: 'api_key',
    answers: ok(webhookDeliveryListSchema),
  },
  {
    method: 'post',
    path: '/v1/images/jobs/:id/webhook_deliveries/:deliveryId/retry',
    operationId: 'retryWebhookDelivery',
    summary: 'Send a delivery again (same webhook-id).',
    tag: 'Webhooks',
    auth: 'api_key',
    answers: [{ status: 202, description: 'The delivery, queued again.', json: webhookDeliverySchema }],
  },
  {
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    summary: 'The models you can use, with capabilities and prices at your markup.',
    tag: 'Models',
    auth: 'api_key',
    answers: ok(modelListSchema),
  },
  {
    method: 'get',
    path: '/v1/models/*name',
    operationId: 'getModel',
    summary: 'One model by id, `owner/id` or alias (a retired one is a 400 naming its replacement).',
    tag: 'Models',
    auth: 'api_key',
    answers: ok(modelSchema),
  },
  {
    method: 'get',
    path: '/v1/account',
    operationId: 'getAccount',
    summary: 'Your balance, holds, markup tier and the spend to the next tier.',
    tag: 'Account',
    auth: 'api_key',
    answers: ok(accountSchema),
  },
  {
    method: 'get',
    path: '/v1/account/ledger',
    operationId: 'listLedgerEntries',
    summary: 'Your ledger, newest first.',
    tag: 'Account',
    auth: 'api_key',
    query: pageQuery('led'),
    answers: ok(ledgerPageSchema),
  },
  {
    method: 'post',
    path: '/admin/v1/accounts',
    operationId: 'adminCreateAccount',
    summary: 'Create an account with its starter credit; its webhook secret is shown once.',
    tag: 'Admin',
    auth: 'admin',
    jsonBody: createAccountSchema,
    answers: [{ status: 201, description: 'Created.', json: createdAccountSchema }],
  },
  {
    method: 'get',
    path: '/admin/v1/accounts/:id',
    operationId: 'adminGetAccount',
    summary: "An account's balance.",
    tag: 'Admin',
    auth: 'admin',
    answers: ok(accountSchema),
  },
  {
    method: 'post',
    path: '/admin/v1/accounts/:id/credits',
    operationId: 'adminCreditAccount',
    summary: 'Add (or, negative, take) credit with a reason.',
    tag: 'Admin',
    auth: 'admin',
    jsonBody: creditsSchema,
    headers: { 'Idempotency-Key': 'The same key credits once.' },
    answers: [
      { status: 201, description: 'Credited.', json: creditResultSchema },
      { status: 200, description: 'Replayed (the key was used before).', json: creditResultSchema },
    ],
  },
  {
    method: 'post',
    path: '/admin/v1/accounts/:id/api_keys',
    operationId: 'adminCreateApiKey',
    summary: 'Create an API key; the key is shown only in this answer.',
    tag: 'Admin',
    auth: 'admin',
    jsonBody: createKeySchema,
    answers: [{ status: 201, description: 'Created.', json: createdApiKeySchema }],
  },
  {
    method: 'post',
    path: '/admin/v1/accounts/:id/webhook_secret',
    operationId: 'adminRotateWebhookSecret',
    summary: 'Rotate the webhook secret; the old one keeps signing for WEBHOOK_SECRET_GRACE_S.',
    tag: 'Admin',
    auth: 'admin',
    answers: ok(rotatedWebhookSecretSchema),
  },
  {
    method: 'delete',
    path: '/admin/v1/api_keys/:id',
    operationId: 'adminRevokeApiKey',
    summary: 'Revoke an API key.',
    tag: 'Admin',
    auth: 'admin',
    answers: ok(revokedApiKeySchema),
  },
  {
    method: 'get',
    path: '/admin/v1/reports/margin',
    operationId: 'adminMarginReport',
    summary: 'Charged against upstream cost, per model and in total (default: the last 30 days).',
    tag: 'Admin',
    auth: 'admin',
    query: marginQuerySchema,
    answers: ok(marginReportSchema),
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document.',
    tag: 'Operations',
    auth: 'none',
    answers: ok(z.record(z.string(), z.unknown()), 'The OpenAPI 3.1 document.'),
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Liveness: 200 once Postgres and Redis answer.',
    tag: 'Operations',
    auth: 'none',
    answers: [
      { status: 200, description: 'Alive.', json: healthSchema },
      { status: 503, description: 'Postgres or Redis does not answer.', json: healthSchema },
    ],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: Postgres, Redis and the object store all answer.',
    tag: 'Operations',
    auth: 'none',
    answers: [
      { status: 200, description: 'Ready.', json: healthSchema },
      { status: 503, description: 'A dependency does not answer (named in the body).', json: healthSchema },
    ],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this process (docs/operations.md, "Metrics").',
    tag: 'Operations',
    auth: 'none',
    answers: [{ status: 200, description: 'Prometheus text format.', text: { contentType: 'text/plain' } }],
  },
];
