import type { JobRow } from '@imagegate/db';
import { queuePositions } from '@imagegate/queue';
import type { IngressDeps } from '../deps.ts';

/** Where a job stands in its provider's queue, as the 202 and every job read show it. */
export interface QueuePlace {
  /** Jobs ahead of it; null unless it is queued. */
  position: number | null;
  /** When it should start, from its position and its provider's rate limit (unix s); null unless queued. */
  estimatedStartAt: number | null;
}

const NOT_QUEUED: QueuePlace = { position: null, estimatedStartAt: null };

/** `known`: the position the enqueue just read, to save a round trip. */
export async function queuePlaceOf(
  deps: Pick<IngressDeps, 'queues' | 'admission' | 'redis'>,
  job: Pick<JobRow, 'id' | 'status' | 'provider' | 'route_index'>,
  known?: number,
): Promise<QueuePlace> {
  const queue = deps.queues.get(job.provider);
  if (job.status !== 'queued' || queue === undefined) return NOT_QUEUED;
  // An estimate: when Redis cannot say (a hang ends with the request), the job is shown without one.
  const position =
    known ??
    (await queuePositions(deps.redis, queue, [{ id: job.id, routeIndex: job.route_index }]).then(
      ([read]) => read ?? 0,
      () => undefined,
    ));
  if (position === undefined) return NOT_QUEUED;
  return { position, estimatedStartAt: deps.admission.estimatedStartAt(job.provider, position) };
}
