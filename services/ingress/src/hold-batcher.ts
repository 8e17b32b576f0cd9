import { type BatchedHoldOutcome, type BatchedJob, insertJobsWithHolds, type Pool } from '@imagegate/db';
import { type ItemOutcome, MicroBatcher, type MicroBatcherOptions } from './micro-batcher.ts';

export type HoldBatcher = MicroBatcher<BatchedJob, BatchedHoldOutcome>;

/**
 * Records the jobs (without an Idempotency-Key) submitted close together with one transaction: their
 * holds in arrival order, each 402 exactly as if they had come one by one.
 */
export function createHoldBatcher(pool: Pool, options: MicroBatcherOptions = {}): HoldBatcher {
  return new MicroBatcher(async (batch): Promise<ItemOutcome<BatchedHoldOutcome>[]> => {
    try {
      const outcomes = await insertJobsWithHolds(pool, batch);
      return outcomes.map((value) => ({ ok: true, value }));
    } catch (error) {
      if (batch.length === 1) throw error;
      // The batch rolled back. One bad job must not fail its neighbours: record each alone, with
      // the same ids, so a batch whose commit did land unseen cannot be recorded twice.
      return Promise.all(
        batch.map((entry) =>
          insertJobsWithHolds(pool, [entry]).then(
            ([value]): ItemOutcome<BatchedHoldOutcome> =>
              value === undefined ? { ok: false, error: new Error('no outcome') } : { ok: true, value },
            (single: unknown): ItemOutcome<BatchedHoldOutcome> => ({ ok: false, error: single }),
          ),
        ),
      );
    }
  }, options);
}
