import { createHash } from 'node:crypto';
import {
  type CatalogModel,
  freezePrices,
  type GenerationParameters,
  type MarkupTier,
  markupFor,
  maxUnitPrice,
  quote,
} from '@imagegate/catalog';
import { ConflictError, InsufficientBalanceError, microsToUsd, newId } from '@imagegate/core';
import {
  expireIdempotencyKey,
  findAccountBalance,
  findJobByIdempotencyKey,
  insertJobWithHold,
  type JobRow,
  type Pool,
  spendLast90Days,
} from '@imagegate/db';

export interface JobSubmission {
  accountId: string;
  model: CatalogModel;
  parameters: GenerationParameters;
  /** Said at submission (deprecated model, inexact size): shown with the result. */
  warnings: string[];
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

/**
 * Records a job and takes its hold in one statement: the markup tier in force now is frozen on the
 * job with the catalog prices, quote × n leaves the available balance, or nothing happens (402).
 * With an Idempotency-Key, the same request returns the job it made the first time (`replayed`).
 */
export async function submitJob(
  pool: Pool,
  submission: JobSubmission,
  options: { markupTiers: readonly MarkupTier[] },
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
      {
        id: newId('job'),
        accountId: submission.accountId,
        model: submission.model.id,
        provider: submission.model.provider,
        request: submission.request,
        parameters: {
          ...submission.parameters,
          providerModel: submission.model.providerModel,
          protocol: submission.model.protocol,
          imagesPerCall: submission.model.capabilities.maxImagesPerCall,
          warnings: submission.warnings,
        },
        responseFormat: submission.responseFormat,
        metadata: submission.metadata,
        webhookUrl: submission.webhookUrl,
        prices: { [submission.model.id]: freezePrices(submission.model) },
        idempotencyKey: submission.idempotencyKey,
        requestHash,
      },
      newId('led'),
      {
        unitMicros: maxUnitPrice(submission.model, freezePrices(submission.model), submission.parameters),
        n: submission.parameters.n,
        tiers: options.markupTiers,
      },
    );
    if (job === undefined) throw await insufficientBalance(pool, submission, options.markupTiers);
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
  const { holdMicros } = quote(submission.model, submission.parameters, markupFor(spend, markupTiers).current.permille);
  const available = (balance?.balance_micros ?? 0n) - (balance?.held_micros ?? 0n);
  return new InsufficientBalanceError(
    `This request needs $${microsToUsd(holdMicros)} and $${microsToUsd(available)} is available.`,
  );
}
