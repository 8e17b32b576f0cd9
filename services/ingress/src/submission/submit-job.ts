import { createHash } from 'node:crypto';
import { type FrozenPrices, freezePrices, type MarkupTier, maxUnitPrice, type PricingInputs } from '@imagegate/catalog';
import type { JobOperation } from '@imagegate/contracts';
import { ConflictError, errorCodeOf, InsufficientBalanceError, microsToUsd, newId } from '@imagegate/core';
import {
  type BatchedHoldOutcome,
  type BatchedJob,
  expireIdempotencyKey,
  findJobByIdempotencyKey,
  insertJobsWithHolds,
  type JobRow,
  type Pool,
} from '@imagegate/db';
import type { HoldBatcher } from './hold-batcher.ts';
import type { RouteStep } from './plan-route.ts';

/** A job to record with its hold, whatever its operation. */
export interface JobSubmission {
  /** The job's id when it had to be known before the job was recorded (an edit's inputs are stored under it). */
  jobId?: string | undefined;
  accountId: string;
  /** The requested model first, then its fallbacks (see planRoute): what the hold must cover. */
  route: RouteStep[];
  /** The operation's fields: request echo, parameters of the first step, every step. */
  operation: JobOperation;
  /** What the request brings that the upstream bills: the prompt's tokens, input images by their size. */
  pricingInputs: PricingInputs;
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
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonical(item)]));
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

/** A route's prices as a job freezes them, and the unit price its hold is taken at. */
export interface RoutePrices {
  /** Each model's prices: its rule's rates and what this request's input costs (prompt tokens, input images). */
  prices: Map<RouteStep, FrozenPrices>;
  /** The dearest unit price of any model on the route, before markup: the hold must cover whichever serves. */
  dearestUnitMicros: bigint;
}

/**
 * Prices a planned route as submission does (and `POST /v1/images/quote`, which must agree): each
 * model's prices frozen with the request's inputs, quoted once here, and the dearest unit price.
 */
export function priceRoute(route: readonly RouteStep[], pricingInputs: PricingInputs): RoutePrices {
  const prices = new Map(
    route.map((step) => {
      // A streamed job makes each image in a call of its own (see the worker's streamed-images.ts).
      const imagesPerCall = step.parameters.stream
        ? 1
        : Math.min(step.parameters.n, step.model.capabilities.maxImagesPerCall);
      return [step, freezePrices(step.model, { ...pricingInputs, imagesPerCall })] as const;
    }),
  );
  let dearestUnitMicros = 0n;
  for (const [step, frozen] of prices) {
    const unit = maxUnitPrice(step.model, frozen, step.parameters);
    if (unit > dearestUnitMicros) dearestUnitMicros = unit;
  }
  return { prices, dearestUnitMicros };
}

/**
 * Records a job and takes its hold: the markup tier in force now is frozen on the job with the
 * catalog prices of every model on its route, the dearest quote × n leaves the available balance,
 * or nothing happens (402, saying what was needed and what is available). One statement does it
 * (`insertJobsWithHolds`): jobs without an Idempotency-Key join the next batch of `holds`; with a
 * key the job goes alone, and the same request returns the job it made the first time (`replayed`).
 */
export async function submitJob(
  pool: Pool,
  submission: JobSubmission,
  options: { markupTiers: readonly MarkupTier[]; holds: HoldBatcher },
): Promise<{ job: JobRow; replayed: boolean }> {
  const entry = batchedJobOf(submission, options.markupTiers);
  if (submission.idempotencyKey === undefined) {
    return { job: heldJobOf(await options.holds.add(entry)), replayed: false };
  }
  return submitJobWithKey(pool, entry, submission.idempotencyKey, hashRequest(submission.rawBody));
}

/** A batch of one, so that a unique-key violation (two requests racing with one key) is this job's alone. */
async function submitJobWithKey(
  pool: Pool,
  entry: BatchedJob,
  key: string,
  requestHash: string,
): Promise<{ job: JobRow; replayed: boolean }> {
  const { accountId } = entry.job;
  const replay = async (): Promise<{ job: JobRow; replayed: boolean } | undefined> => {
    const existing = await findJobByIdempotencyKey(pool, accountId, key);
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
  await expireIdempotencyKey(pool, accountId, key);
  try {
    const [outcome] = await insertJobsWithHolds(pool, [
      { ...entry, job: { ...entry.job, idempotencyKey: key, requestHash } },
    ]);
    if (outcome === undefined) throw new Error('the submission statement said nothing about the job');
    return { job: heldJobOf(outcome), replayed: false };
  } catch (error) {
    // Two requests with the same key raced; the loser answers with the winner's job.
    if (errorCodeOf(error) === '23505') {
      const raced = await replay();
      if (raced) return raced;
    }
    throw error;
  }
}

/** The held job, or the 402 with what the request needs and what is available. */
function heldJobOf(outcome: BatchedHoldOutcome): JobRow {
  if (outcome.held) return outcome.job;
  throw new InsufficientBalanceError(
    `This request needs $${microsToUsd(outcome.holdMicros)} and $${microsToUsd(outcome.availableMicros)} is available.`,
  );
}

/** The job as recorded, with a new id; the route's first step is the model asked for. */
function batchedJobOf(submission: JobSubmission, markupTiers: readonly MarkupTier[]): BatchedJob {
  const [primary] = submission.route;
  if (primary === undefined) throw new Error('a job needs at least one model');
  const { prices, dearestUnitMicros } = priceRoute(submission.route, submission.pricingInputs);
  return {
    job: {
      ...submission.operation,
      id: submission.jobId ?? newId('job'),
      accountId: submission.accountId,
      model: primary.model.id,
      provider: primary.model.provider,
      responseFormat: submission.responseFormat,
      metadata: submission.metadata,
      webhookUrl: submission.webhookUrl,
      prices: Object.fromEntries([...prices].map(([step, frozen]) => [step.model.id, frozen])),
    },
    ledgerEntryId: newId('led'),
    pricing: { unitMicros: dearestUnitMicros, n: primary.parameters.n, tiers: markupTiers },
  };
}
