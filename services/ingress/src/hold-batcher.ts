import { MicroBatcher, type MicroBatcherOptions } from '@imagegate/core';
import { type BatchedHoldOutcome, type BatchedJob, insertJobsWithHolds, type Pool } from '@imagegate/db';

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

/**
 * A data exception (SQLSTATE class 22) or a constraint violation (23): something about the rows.
 * Anything else (Postgres unreachable, shutting down) would fail each job alone just the same, so
 * the batch's error is every job's answer, without a retry storm during an outage.
 */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
