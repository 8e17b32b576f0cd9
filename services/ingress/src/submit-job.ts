import { createHash } from 'node:crypto';
import { freezePrices, type MarkupTier, markupFor, maxUnitPrice, withMarkup } from '@imagegate/catalog';
import { ConflictError, InsufficientBalanceError, microsToUsd, newId } from '@imagegate/core';
import {
  type BatchedJob,
  expireIdempotencyKey,
  findAccountBalance,
  findJobByIdempotencyKey,
  type HoldPricing,
  insertJobWithHold,
  type JobRow,
  type Pool,
  spendLast90Days,
} from '@imagegate/db';
import type { HoldBatcher } from './hold-batcher.ts';
import { jobParametersOf, type RouteStep } from './plan-route.ts';

export interface JobSubmission {
  accountId: string;
  /** The requested model first, then its fallbacks (see planRoute). */
  route: RouteStep[];
  request: Record<string, unknown>;
  responseFormat: 'url' | 'b64_json';
  metadata: Record<string, string>;
  /** Checked by the webhook URL guard; called when the job ends. */
  webhookUrl?: string | undefined;
  /** The raw body, hashed to tell a replay from a different request under the same key. */
  rawBody: unknown;
  idempotencyKey?: string | undefined;
}

/** Stable across key order, so the same request sent by another client library hashes the same. */
function hashRequest(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
        )
      : Array.isArray(value)
        ? value.map(canonical)
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** The dearest unit price of any model on the route: the hold must cover whichever serves. */
function dearestUnitPrice(route: RouteStep[]): bigint {
  let dearest = 0n;
  for (const step of route) {
    const unit = maxUnitPrice(step.model, freezePrices(step.model), step.parameters);
    if (unit > dearest) dearest = unit;
  }
  return dearest;
}

/**
 * Records a job and takes its hold: the markup tier in force now is frozen on the job with the
 * catalog prices of every model on its route, the dearest quote × n leaves the available balance,
 * or nothing happens (402). Without an Idempotency-Key the job joins the next batch of `holds`
 * (when given); with one, the same request returns the job it made the first time (`replayed`).
 */
export async function submitJob(
  pool: Pool,
  submission: JobSubmission,
  options: { markupTiers: readonly MarkupTier[]; holds?: HoldBatcher | undefined },
): Promise<{ job: JobRow; replayed: boolean }> {
  if (submission.idempotencyKey === undefined && options.holds !== undefined) {
    const pricing = pricingOf(submission.route, options.markupTiers);
    const outcome = await options.holds.add({ job: newJobOf(submission), ledgerEntryId: newId('led'), pricing });
    if (!outcome.held) {
      throw new InsufficientBalanceError(
        `This request needs $${microsToUsd(outcome.holdMicros)} and $${microsToUsd(outcome.availableMicros)} is available.`,
      );
    }
    return { job: outcome.job, replayed: false };
  }
  return submitJobWithKey(pool, submission, options.markupTiers);
}

/** The single-statement path: idempotency keys, or no batcher. */
async function submitJobWithKey(
  pool: Pool,
  submission: JobSubmission,
  markupTiers: readonly MarkupTier[],
): Promise<{ job: JobRow; replayed: boolean }> {
  const requestHash = submission.idempotencyKey === undefined ? undefined : hashRequest(submission.rawBody);
  const replay = async (): Promise<{ job: JobRow; replayed: boolean } | undefined> => {
    if (submission.idempotencyKey === undefined) return undefined;
    const existing = await findJobByIdempotencyKey(pool, submission.accountId, submission.idempotencyKey);
    if (existing === undefined) return undefined;
    if (existing.request_hash !== requestHash) {
      throw new ConflictError('This Idempotency-Key was already used with a different request body.', {
        code: 'idempotency_conflict',
      });
    }
    return { job: existing, replayed: true };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  if (submission.idempotencyKey !== undefined)
    await expireIdempotencyKey(pool, submission.accountId, submission.idempotencyKey);
  try {
    const job = await insertJobWithHold(
      pool,
      { ...newJobOf(submission), idempotencyKey: submission.idempotencyKey, requestHash },
      newId('led'),
      pricingOf(submission.route, markupTiers),
    );
    if (job === undefined) throw await insufficientBalance(pool, submission, markupTiers);
    return { job, replayed: false };
  } catch (error) {
    // Two requests with the same key raced; the loser answers with the winner's job.
    if (isUniqueViolation(error)) {
      const raced = await replay();
      if (raced) return raced;
    }
    throw error;
  }
}

/** The job as recorded, with a new id; the route's first step is the model asked for. */
function newJobOf(submission: JobSubmission): BatchedJob['job'] {
  const { route } = submission;
  const [primary] = route;
  if (primary === undefined) throw new Error('a job needs at least one model');
  return {
    id: newId('job'),
    accountId: submission.accountId,
    model: primary.model.id,
    provider: primary.model.provider,
    request: submission.request,
    parameters: jobParametersOf(primary),
    route:
      route.length === 1
        ? []
        : route.map((step) => ({
            model: step.model.id,
            provider: step.model.provider,
            parameters: jobParametersOf(step),
          })),
    responseFormat: submission.responseFormat,
    metadata: submission.metadata,
    webhookUrl: submission.webhookUrl,
    prices: Object.fromEntries(route.map((step) => [step.model.id, freezePrices(step.model)])),
  };
}

function pricingOf(route: RouteStep[], markupTiers: readonly MarkupTier[]): HoldPricing {
  return { unitMicros: dearestUnitPrice(route), n: route[0]?.parameters.n ?? 1, tiers: markupTiers };
}

/** The 402, with what the request needs and what is available (only computed when refusing). */
async function insufficientBalance(
  pool: Pool,
  submission: JobSubmission,
  markupTiers: readonly MarkupTier[],
): Promise<InsufficientBalanceError> {
  const [balance, spend] = await Promise.all([
    findAccountBalance(pool, submission.accountId),
    spendLast90Days(pool, submission.accountId),
  ]);
  const permille = markupFor(spend, markupTiers).current.permille;
  const holdMicros =
    withMarkup(dearestUnitPrice(submission.route), permille) * BigInt(submission.route[0]?.parameters.n ?? 1);
  const available = (balance?.balance_micros ?? 0n) - (balance?.held_micros ?? 0n);
  return new InsufficientBalanceError(
    `This request needs $${microsToUsd(holdMicros)} and $${microsToUsd(available)} is available.`,
  );
}
