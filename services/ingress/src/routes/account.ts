import { markupFor } from '@imagegate/catalog';
import { InvalidRequestError, isId, microsToUsd } from '@imagegate/core';
import {
  dailySpend,
  findAccount,
  findAccountBalance,
  type LedgerEntryRow,
  listLedgerEntries,
  spendLast90Days,
} from '@imagegate/db';
import { Router } from 'express';
import { z } from 'zod';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';

export function renderLedgerEntry(entry: LedgerEntryRow) {
  return {
    id: entry.id,
    object: 'ledger_entry',
    type: entry.type,
    amount_usd: microsToUsd(entry.amount_micros),
    held_usd: microsToUsd(entry.held_micros),
    job_id: entry.job_id,
    reason: entry.reason,
    created_at: Math.floor(entry.created_at.getTime() / 1000),
  };
}

/** `GET /v1/account/spend`: how many days back, today included (90, the markup tier's window, by default). */
export const spendQuerySchema = z.object({ days: z.coerce.number<string>().int().min(1).max(90).default(90) });

/** `GET /v1/account`, its ledger and its daily spend: the caller's own money. */
export function accountRouter(deps: IngressDeps): Router {
  const router = Router();
  const { pool, settings } = deps;

  router.get('/v1/account', async (_request, response) => {
    const { accountId } = callerOf(response);
    const [account, balance, spend] = await Promise.all([
      findAccount(pool, accountId),
      findAccountBalance(pool, accountId),
      spendLast90Days(pool, accountId),
    ]);
    const { current, next } = markupFor(spend, settings.markupTiers);
    const balanceMicros = balance?.balance_micros ?? 0n;
    const heldMicros = balance?.held_micros ?? 0n;
    response.json({
      id: accountId,
      object: 'account',
      name: account?.name ?? null,
      balance_usd: microsToUsd(balanceMicros),
      held_usd: microsToUsd(heldMicros),
      available_usd: microsToUsd(balanceMicros - heldMicros),
      markup: current.permille / 1000,
      spend_90d_usd: microsToUsd(spend),
      next_tier:
        next === null ? null : { at_spend_usd: microsToUsd(next.fromSpendMicros), markup: next.permille / 1000 },
    });
  });

  router.get('/v1/account/ledger', async (request, response) => {
    const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InvalidRequestError("Invalid value for 'limit': an integer from 1 to 100.", { param: 'limit' });
    }
    const after = request.query.after;
    if (after !== undefined && (typeof after !== 'string' || !isId('led', after))) {
      throw new InvalidRequestError("Invalid value for 'after': a ledger entry id.", { param: 'after' });
    }
    const entries = await listLedgerEntries(pool, callerOf(response).accountId, { limit: limit + 1, after });
    const page = entries.slice(0, limit);
    response.json({
      object: 'list',
      data: page.map(renderLedgerEntry),
      has_more: entries.length > limit,
      last_id: page.at(-1)?.id ?? null,
    });
  });

  // What settlement charged each day (charges net of refunds: the same sums as `spend_90d_usd`).
  router.get('/v1/account/spend', async (request, response) => {
    const { days } = spendQuerySchema.parse(request.query);
    const rows = await dailySpend(pool, callerOf(response).accountId, days);
    const total = rows.reduce((sum, row) => sum + row.micros, 0n);
    response.json({
      object: 'list',
      data: rows.map((row) => ({ date: row.day, spend_usd: microsToUsd(row.micros), jobs: Number(row.jobs) })),
      total_usd: microsToUsd(total),
    });
  });

  return router;
}
