import type { Worker } from 'bullmq';

/**
 * Graceful stop: the workers take no new job, the jobs in hand get up to `graceMs` to finish, then
 * the workers close. Past the grace they close by force (BullMQ's own close cannot be hurried once
 * it waits, hence pause first): a job still running here stops renewing its lock and another
 * worker's stalled check takes it over, so the orchestrator's kill never lands mid-drain.
 * Returns whether every job in hand finished.
 */
export async function drainWorkers(workers: Worker[], graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const drained = Promise.all(workers.map((worker) => worker.pause())).then(() => true as const);
  const finished = await Promise.race([drained, graceOver]);
  clearTimeout(timer);
  await Promise.all(workers.map((worker) => worker.close(!finished)));
  return finished;
}
