import { chargeForJob } from '@imagegate/catalog';
import {
  addDailySpend,
  changeAccountBalance,
  insertLedgerEntry,
  lockJobForSettlement,
  markJobSettled,
  type Pool,
  withTransaction,
} from '@imagegate/db';

export type SettlementOutcome = { settled: false } | { settled: true; chargedMicros: bigint; releasedMicros: bigint };

/** Points where a test can make settlement die, to prove a crash never double-charges. */
export interface SettlementFaults {
  /** Runs inside the transaction after the debit is written, before commit. */
  beforeCommit?: (jobId: string) => void;
  /** Runs after commit, before the queue entry is acknowledged. */
  afterCommit?: (jobId: string) => void;
}

/**
 * Settles one finished job exactly once. In one transaction, with the job row locked: a succeeded
 * job is debited what it delivered at its frozen prices and markup; the rest of the hold (all of it
 * for a failed or canceled job) is released; the job is marked settled. Running it again, in
 * parallel or after a crash, finds the job settled and does nothing.
 */
export async function settleJob(pool: Pool, jobId: string, faults: SettlementFaults = {}): Promise<SettlementOutcome> {
  const outcome = await withTransaction(pool, async (client): Promise<SettlementOutcome> => {
    const job = await lockJobForSettlement(client, jobId);
    if (job === undefined) return { settled: false };
    const charged = job.status === 'succeeded' ? chargeForJob(job).chargeMicros : 0n;
    const released = job.hold_micros - charged;
    await changeAccountBalance(client, job.account_id, { balanceMicros: -charged, heldMicros: -job.hold_micros });
    if (charged > 0n) {
      await insertLedgerEntry(client, {
        accountId: job.account_id,
        type: 'debit',
        amountMicros: -charged,
        heldMicros: -charged,
        jobId,
      });
      await addDailySpend(client, job.account_id, charged);
    }
    if (released > 0n) {
      await insertLedgerEntry(client, {
        accountId: job.account_id,
        type: 'release',
        amountMicros: 0n,
        heldMicros: -released,
        jobId,
      });
    }
    await markJobSettled(client, jobId, charged);
    faults.beforeCommit?.(jobId);
    return { settled: true, chargedMicros: charged, releasedMicros: released };
  });
  faults.afterCommit?.(jobId);
  return outcome;
}
