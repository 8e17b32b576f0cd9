import { MicroBatcher, type MicroBatcherOptions } from '@imagegate/core';
import { type BatchedHoldOutcome, type BatchedJob, insertJobsWithHolds, isRowError, type Pool } from '@imagegate/db';

export type HoldBatcher = MicroBatcher<BatchedJob, BatchedHoldOutcome>;

/**
 * Records the jobs (without an Idempotency-Key) submitted close together with one statement: their
 * holds in arrival order, each 402 exactly as if they had come one by one.
 */
export function createHoldBatcher(pool: Pool, options: MicroBatcherOptions = {}): HoldBatcher {
  return new MicroBatcher(async (batch): Promise<PromiseSettledResult<BatchedHoldOutcome>[]> => {
    try {
      const outcomes = await insertJobsWithHolds(pool, batch);
      return outcomes.map((value) => ({ status: 'fulfilled', value }));
    } catch (error) {
      if (batch.length === 1 || !isRowError(error)) throw error;
      // Postgres refused one of the rows and the statement changed nothing. That job must not fail
      // its neighbours: record each alone, with the same ids, so none can be recorded twice.
      return Promise.all(
        batch.map((entry) =>
          insertJobsWithHolds(pool, [entry]).then(
            ([value]): PromiseSettledResult<BatchedHoldOutcome> =>
              value === undefined
                ? { status: 'rejected', reason: new Error('no outcome') }
                : { status: 'fulfilled', value },
            (single: unknown): PromiseSettledResult<BatchedHoldOutcome> => ({ status: 'rejected', reason: single }),
          ),
        ),
      );
    }
  }, options);
}
