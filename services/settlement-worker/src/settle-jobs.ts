import { chargeForJob, upstreamCostOf } from '@imagegate/catalog';
import { newId } from '@imagegate/core';
import {
  applySettlements,
  findJobsToSettle,
  isRowError,
  type JobSettlement,
  type Pool,
  type SettlementJob,
} from '@imagegate/db';

/** How a settled job had ended, for the metrics (every value bounded: catalog names, closed codes). */
export interface SettledJobEnding {
  operation: string;
  provider: string;
  model: string;
  /** `succeeded`, `canceled`, or the failed job's error code. */
  outcome: string;
  endedAt: Date | null;
}

export type SettlementOutcome =
  | { settled: false }
  | {
      settled: true;
      chargedMicros: bigint;
      releasedMicros: bigint;
      upstreamCostMicros: bigint;
      ending: SettledJobEnding;
    };

/** Called once per job settled here whose upstream cost more than it was charged. */
export type LossListener = (loss: { jobId: string; chargedMicros: bigint; upstreamCostMicros: bigint }) => void;

/** Points where a test can make settlement die, to prove a crash never double-charges. */
export interface SettlementFaults {
  /** Runs per job after its charge is computed, before anything is written; a throw fails that job only. */
  beforeWrite?: (jobId: string) => void;
  /** Runs per job after its settlement is committed, before the queue entry is acknowledged. */
  afterCommit?: (jobId: string) => void;
}

type PlannedSettlement = JobSettlement & { holdMicros: bigint; upstreamCostMicros: bigint; ending: SettledJobEnding };

/**
 * Settles a batch of finished jobs, each exactly once: a succeeded job is debited what it delivered
 * at its frozen prices and markup; the rest of the hold (all of it for a failed or canceled job) is
 * released. One read of the jobs, the charges computed here (a pure function of the finished job,
 * so a duplicate or parallel run computes the same numbers), and one conditional statement that
 * only the first writer wins.
 *
 * Returns one result per id, in order: the outcome, or the error that job failed with. An id listed
 * more than once is settled once; its later copies report `{ settled: false }`. One job that cannot
 * be priced or written fails alone. Throws only when the jobs cannot be read (nothing was written).
 * `onLoss` hears of each job settled here whose upstream cost more than its charge.
 */
export async function settleJobs(
  pool: Pool,
  jobIds: readonly string[],
  faults: SettlementFaults = {},
  onLoss?: LossListener,
): Promise<PromiseSettledResult<SettlementOutcome>[]> {
  const { jobs, unreadable } = await findJobsToSettle(pool, jobIds);
  const failed = new Map<string, Error>(unreadable);
  const planned = planSettlements(jobs, faults, failed);
  const settledIds = await writeSettlements(pool, [...planned.values()], failed);

  const reported = new Set<string>();
  return jobIds.map((jobId): PromiseSettledResult<SettlementOutcome> => {
    const error = failed.get(jobId);
    if (error !== undefined) return { status: 'rejected', reason: error };
    const settlement = planned.get(jobId);
    if (settlement === undefined || !settledIds.has(jobId) || reported.has(jobId)) {
      return { status: 'fulfilled', value: { settled: false } };
    }
    reported.add(jobId);
    if (settlement.upstreamCostMicros > settlement.chargedMicros) {
      onLoss?.({ jobId, chargedMicros: settlement.chargedMicros, upstreamCostMicros: settlement.upstreamCostMicros });
    }
    try {
      faults.afterCommit?.(jobId);
    } catch (afterCommitError) {
      return { status: 'rejected', reason: asError(afterCommitError) };
    }
    return {
      status: 'fulfilled',
      value: {
        settled: true,
        chargedMicros: settlement.chargedMicros,
        releasedMicros: settlement.holdMicros - settlement.chargedMicros,
        upstreamCostMicros: settlement.upstreamCostMicros,
        ending: settlement.ending,
      },
    };
  });
}

function endingOf(job: SettlementJob): SettledJobEnding {
  const outcome = job.status === 'failed' ? (job.error?.code ?? 'internal_error') : job.status;
  return { operation: job.operation, provider: job.provider, model: job.model, outcome, endedAt: job.completed_at };
}

/** Each job's charge and ledger entry ids; a job that cannot be priced goes to `failed` instead. */
function planSettlements(
  jobs: readonly SettlementJob[],
  faults: SettlementFaults,
  failed: Map<string, Error>,
): Map<string, PlannedSettlement> {
  const planned = new Map<string, PlannedSettlement>();
  for (const job of jobs) {
    try {
      const chargedMicros = job.status === 'succeeded' ? chargeForJob(job).chargeMicros : 0n;
      const upstreamCostMicros = job.status === 'succeeded' ? upstreamCostOf(job).micros : 0n;
      faults.beforeWrite?.(job.id);
      planned.set(job.id, {
        jobId: job.id,
        chargedMicros,
        upstreamCostMicros,
        holdMicros: job.hold_micros,
        ending: endingOf(job),
        debitEntryId: newId('led'),
        releaseEntryId: newId('led'),
      });
    } catch (error) {
      failed.set(job.id, asError(error));
    }
  }
  return planned;
}

/**
 * Writes the batch in one statement. If the database refuses a row of the batch (one job's
 * account breaks a constraint, say), each job is written alone, so the others still settle and
 * only that job fails (into `failed`). Returns the ids settled here.
 */
async function writeSettlements(
  pool: Pool,
  settlements: readonly PlannedSettlement[],
  failed: Map<string, Error>,
): Promise<Set<string>> {
  try {
    return await applySettlements(pool, settlements);
  } catch (batchError) {
    // Only a refused row is worth isolating; an outage would fail every job alone just as slowly.
    if (settlements.length === 1 || !isRowError(batchError)) {
      for (const settlement of settlements) failed.set(settlement.jobId, asError(batchError));
      return new Set();
    }
    const settled = new Set<string>();
    for (const settlement of settlements) {
      try {
        if ((await applySettlements(pool, [settlement])).size > 0) settled.add(settlement.jobId);
      } catch (error) {
        failed.set(settlement.jobId, asError(error));
      }
    }
    return settled;
  }
}

/** Settles one finished job: `settleJobs` with a batch of one. */
export async function settleJob(pool: Pool, jobId: string, faults: SettlementFaults = {}): Promise<SettlementOutcome> {
  const [result] = await settleJobs(pool, [jobId], faults);
  if (result === undefined) throw new Error('settleJobs returned no result');
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
