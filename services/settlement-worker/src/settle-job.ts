import { chargeForJob } from '@imagegate/catalog';
import { newId } from '@imagegate/core';
import { applySettlement, findJobToSettle, type Pool } from '@imagegate/db';

export type SettlementOutcome = { settled: false } | { settled: true; chargedMicros: bigint; releasedMicros: bigint };

/** Points where a test can make settlement die, to prove a crash never double-charges. */
export interface SettlementFaults {
  /** Runs after the charge is computed, before anything is written. */
  beforeWrite?: (jobId: string) => void;
  /** Runs after the settlement is committed, before the queue entry is acknowledged. */
  afterCommit?: (jobId: string) => void;
}

/**
 * Settles one finished job exactly once: a succeeded job is debited what it delivered at its
 * frozen prices and markup; the rest of the hold (all of it for a failed or canceled job) is
 * released. The charge is a pure function of the finished job, so a duplicate or parallel run
 * computes the same numbers, and the write is one conditional statement that only the first wins.
 */
export async function settleJob(pool: Pool, jobId: string, faults: SettlementFaults = {}): Promise<SettlementOutcome> {
  const job = await findJobToSettle(pool, jobId);
  if (job === undefined) return { settled: false };
  const charged = job.status === 'succeeded' ? chargeForJob(job).chargeMicros : 0n;
  faults.beforeWrite?.(jobId);
  const applied = await applySettlement(pool, {
    jobId,
    chargedMicros: charged,
    debitEntryId: newId('led'),
    releaseEntryId: newId('led'),
  });
  if (!applied) return { settled: false };
  faults.afterCommit?.(jobId);
  return { settled: true, chargedMicros: charged, releasedMicros: job.hold_micros - charged };
}
