import { generateApiKey, generateWebhookSecret, isId, microsToUsd, NotFoundError, usdToMicros } from '@imagegate/core';
import {
  type AccountWithBalanceRow,
  type ApiKeyRow,
  createAccountWithGrant,
  creditAccount,
  findAccount,
  findAccountBalance,
  findSucceededJobsBetween,
  insertApiKey,
  listAccounts,
  listApiKeysForAccount,
  type Pool,
  revokeApiKey,
  rotateWebhookSecret,
} from '@imagegate/db';
import { marginReport } from '@imagegate/resources';
import { type Request, Router } from 'express';
import { z } from 'zod';
import type { IngressDeps } from '../deps.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { jsonBody } from '../middleware/json-body.ts';
import { providerStatuses } from '../provider-status.ts';
import { renderLedgerEntry } from './account.ts';

const usdAmount = z.number().finite().min(-1_000_000).max(1_000_000);
export const createAccountSchema = z
  .object({ name: z.string().trim().min(1).max(200), starter_credit_usd: usdAmount.min(0).optional() })
  .strict();
export const createKeySchema = z.object({ name: z.string().trim().min(1).max(200).default('default') }).strict();
export const creditsSchema = z
  .object({
    amount_usd: usdAmount.refine((amount) => amount !== 0, 'must not be 0'),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();

/** A report bound: unix seconds or an ISO 8601 time. */
const reportTimeSchema = z
  .string()
  .trim()
  .min(1)
  .transform((value, context) => {
    const date = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: 'must be unix seconds or an ISO 8601 time' });
      return z.NEVER;
    }
    return date;
  });
export const marginQuerySchema = z.object({ since: reportTimeSchema.optional(), until: reportTimeSchema.optional() });
/** Most jobs one report reads; a longer range is answered with `truncated: true`. */
const MARGIN_REPORT_MAX_JOBS = 100_000;
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

/** `GET /admin/v1/accounts`: a search by name or id, newest first, a page at a time. */
export const accountListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('Accounts whose name contains this (any case), or whose id is or starts with it.'),
  limit: z.coerce.number<string>().int().min(1).max(100).default(20),
  after: z
    .string()
    .refine((id) => isId('acct', id), 'must be an account id')
    .optional()
    .describe('Return the page after this id.'),
});

/** An account as the admin API shows it. */
function accountResource(account: AccountWithBalanceRow) {
  return {
    id: account.id,
    object: 'account',
    name: account.name,
    balance_usd: microsToUsd(account.balance_micros),
    held_usd: microsToUsd(account.held_micros),
    available_usd: microsToUsd(account.balance_micros - account.held_micros),
    created_at: Math.floor(account.created_at.getTime() / 1000),
  };
}

async function renderAccount(pool: Pool, id: string) {
  const account = isId('acct', id) ? await findAccount(pool, id) : undefined;
  if (account === undefined) throw new NotFoundError(`No account with id '${id}'.`, { param: 'id' });
  const balance = await findAccountBalance(pool, id);
  return accountResource({
    ...account,
    balance_micros: balance?.balance_micros ?? 0n,
    held_micros: balance?.held_micros ?? 0n,
  });
}

/**
 * An API key as listings show it: never the key (only its hash is stored), but the first
 * characters kept to tell keys apart.
 */
function apiKeyResource(key: ApiKeyRow) {
  return {
    id: key.id,
    object: 'api_key',
    account_id: key.account_id,
    name: key.name,
    hint: `${key.prefix}…`,
    created_at: Math.floor(key.created_at.getTime() / 1000),
    revoked_at: key.revoked_at === null ? null : Math.floor(key.revoked_at.getTime() / 1000),
  };
}

const accountId = (request: Request) => String(request.params.id);

/** `/admin/v1`: accounts, credits, API keys and webhook secrets, behind `ADMIN_TOKEN`. */
export function adminRouter(deps: IngressDeps): Router {
  const router = Router();
  const { pool, secretBox, settings } = deps;
  router.use('/admin/v1', adminAuth(settings.adminToken), jsonBody(settings.maxBodyBytes));

  router.post('/admin/v1/accounts', async (request, response) => {
    const body = createAccountSchema.parse(request.body ?? {});
    const webhookSecret = generateWebhookSecret();
    const starterMicros =
      body.starter_credit_usd === undefined ? settings.starterCreditMicros : usdToMicros(body.starter_credit_usd);
    const account = await createAccountWithGrant(pool, {
      name: body.name,
      starterMicros,
      webhookSecret: { secret: webhookSecret, box: secretBox },
    });
    response.status(201).json({ ...(await renderAccount(pool, account.id)), webhook_secret: webhookSecret });
  });

  router.get('/admin/v1/accounts', async (request, response) => {
    const query = accountListQuerySchema.parse(request.query);
    const accounts = await listAccounts(pool, { q: query.q, limit: query.limit + 1, after: query.after });
    const page = accounts.slice(0, query.limit);
    response.json({
      object: 'list',
      data: page.map(accountResource),
      has_more: accounts.length > query.limit,
      last_id: page.at(-1)?.id ?? null,
    });
  });

  router.get('/admin/v1/accounts/:id', async (request, response) => {
    response.json(await renderAccount(pool, accountId(request)));
  });

  router.post('/admin/v1/accounts/:id/credits', async (request, response) => {
    const body = creditsSchema.parse(request.body ?? {});
    await renderAccount(pool, accountId(request));
    const key = request.headers['idempotency-key'];
    const { entry, replayed } = await creditAccount(pool, {
      accountId: accountId(request),
      amountMicros: usdToMicros(body.amount_usd),
      reason: body.reason,
      idempotencyKey: typeof key === 'string' && key.length > 0 ? key.slice(0, 255) : undefined,
    });
    if (replayed) response.setHeader('idempotent-replayed', 'true');
    response
      .status(replayed ? 200 : 201)
      .json({ entry: renderLedgerEntry(entry), account: await renderAccount(pool, accountId(request)) });
  });

  router.post('/admin/v1/accounts/:id/api_keys', async (request, response) => {
    const body = createKeySchema.parse(request.body ?? {});
    const account = await renderAccount(pool, accountId(request));
    const { key, prefix, hash } = generateApiKey();
    const row = await insertApiKey(pool, { accountId: account.id, name: body.name, prefix, keyHash: hash });
    // The key appears only in this response; only its hash is stored.
    response.status(201).json({ id: row.id, object: 'api_key', account_id: account.id, name: row.name, prefix, key });
  });

  router.get('/admin/v1/accounts/:id/api_keys', async (request, response) => {
    const account = await renderAccount(pool, accountId(request));
    const keys = await listApiKeysForAccount(pool, account.id);
    response.json({ object: 'list', data: keys.map(apiKeyResource) });
  });

  router.post('/admin/v1/accounts/:id/webhook_secret', async (request, response) => {
    const secret = generateWebhookSecret();
    const rotated = isId('acct', accountId(request))
      ? await rotateWebhookSecret(pool, secretBox, accountId(request), secret, settings.webhookSecretGraceS)
      : undefined;
    if (rotated === undefined) throw new NotFoundError(`No account with id '${accountId(request)}'.`, { param: 'id' });
    response.json({
      id: accountId(request),
      object: 'account',
      webhook_secret: secret,
      // Until then the replaced secret signs too, beside this one.
      previous_secret_expires_at:
        rotated.previousExpiresAt === null ? null : Math.floor(rotated.previousExpiresAt.getTime() / 1000),
    });
  });

  router.delete('/admin/v1/api_keys/:id', async (request, response) => {
    const id = String(request.params.id);
    const row = isId('key', id) ? await revokeApiKey(pool, id) : undefined;
    if (row === undefined) throw new NotFoundError(`No API key with id '${id}'.`, { param: 'id' });
    const revokedAt = Math.floor((row.revoked_at ?? new Date()).getTime() / 1000);
    response.json({ id: row.id, object: 'api_key', revoked: true, revoked_at: revokedAt });
  });

  router.get('/admin/v1/providers', async (_request, response) => {
    response.json({ object: 'list', data: await providerStatuses(deps) });
  });

  // Per model and in total: what we charged against what the upstreams charged us (default: the last 30 days).
  router.get('/admin/v1/reports/margin', async (request, response) => {
    const query = marginQuerySchema.parse(request.query);
    const until = query.until ?? new Date();
    const since = query.since ?? new Date(until.getTime() - THIRTY_DAYS_MS);
    const { jobs, truncated } = await findSucceededJobsBetween(pool, { since, until, limit: MARGIN_REPORT_MAX_JOBS });
    response.json(marginReport(jobs, { since, until, truncated }));
  });
  return router;
}
