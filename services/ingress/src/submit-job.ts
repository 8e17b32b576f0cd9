import { createHash } from 'node:crypto';
import {
  type CatalogModel,
  freezePrices,
  type GenerationParameters,
  type MarkupTier,
  markupFor,
  quote,
} from '@imagegate/catalog';
import { ConflictError, InsufficientBalanceError, microsToUsd, newId } from '@imagegate/core';
import {
  changeAccountBalance,
  expireIdempotencyKey,
  findJobByIdempotencyKey,
  insertJob,
  insertLedgerEntry,
  type JobRow,
  lockAccountBalance,
  type Pool,
  spendLast90Days,
  withTransaction,
} from '@imagegate/db';

export interface JobSubmission {
  accountId: string;
  model: CatalogModel;
  parameters: GenerationParameters;
  request: Record<string, unknown>;
  responseFormat: 'url' | 'b64_json';
  metadata: Record<string, string>;
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
 * Records a job and takes its hold in one transaction: the markup tier in force now is frozen on
 * the job with the catalog prices, quote × n leaves the available balance, or nothing happens (402).
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
    const job = await withTransaction(pool, (client) =>
      recordJobWithHold(client, submission, requestHash, options.markupTiers),
    );
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

async function recordJobWithHold(
  client: Parameters<Parameters<typeof withTransaction>[1]>[0],
  submission: JobSubmission,
  requestHash: string | undefined,
  markupTiers: readonly MarkupTier[],
): Promise<JobRow> {
  const { accountId, model, parameters } = submission;
  const balance = await lockAccountBalance(client, accountId);
  if (balance === undefined) throw new Error(`account ${accountId} vanished`);
  const { current } = markupFor(await spendLast90Days(client, accountId), markupTiers);
  const price = quote(model, parameters, current.permille);
  const available = balance.balance_micros - balance.held_micros;
  if (price.holdMicros > available) {
    throw new InsufficientBalanceError(
      `This request needs $${microsToUsd(price.holdMicros)} and $${microsToUsd(available)} is available.`,
    );
  }
  const job = await insertJob(client, {
    id: newId('job'),
    accountId,
    model: model.id,
    provider: model.provider,
    request: submission.request,
    parameters: { ...parameters, providerModel: model.providerModel },
    responseFormat: submission.responseFormat,
    metadata: submission.metadata,
    markupPermille: current.permille,
    prices: { [model.id]: freezePrices(model) },
    holdMicros: price.holdMicros,
    idempotencyKey: submission.idempotencyKey,
    requestHash,
  });
  await changeAccountBalance(client, accountId, { balanceMicros: 0n, heldMicros: price.holdMicros });
  await insertLedgerEntry(client, {
    accountId,
    type: 'hold',
    amountMicros: 0n,
    heldMicros: price.holdMicros,
    jobId: job.id,
  });
  return job;
}
