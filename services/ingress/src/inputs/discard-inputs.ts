import { findJob, type Pool } from '@imagegate/db';
import type { ObjectStore } from '@imagegate/storage';

/**
 * Deletes the inputs a request stored under `jobId` unless a job of that id was recorded (one that
 * failed at enqueue keeps them: its resource shows them). For a refused request, a replay answered
 * with the first request's job, or a replay whose client left: nothing of it may stay behind.
 */
export async function discardInputsUnlessRecorded(
  deps: { pool: Pool; store: ObjectStore },
  jobId: string,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  const recorded = await findJob(deps.pool, jobId).catch(() => undefined);
  if (recorded === undefined) await deps.store.deleteObjects(keys);
}
