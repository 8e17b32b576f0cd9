import type { JobRow } from '@imagegate/db';
import { queuePositions } from '@imagegate/queue';
import type { IngressDeps } from '../deps.ts';
import type { LimitHold } from '../limit-hold.ts';

/** Where a job stands in its provider's queue, as the 202 and every job read show it. */
export interface QueuePlace {
  /** Jobs ahead of it; null unless it is queued. */
  position: number | null;
  /** When it should start, from its position, its provider's rate limit and any upstream pause (unix s); null unless queued. */
  estimatedStartAt: number | null;
  /** Set when its provider's limit holds it back a second or more: the warning and `Retry-After` say so. */
  heldBy?: LimitHold | undefined;
}

const NOT_QUEUED: QueuePlace = { position: null, estimatedStartAt: null };

type PlacedJob = Pick<JobRow, 'id' | 'status' | 'provider' | 'route_index'>;
type PlaceDeps = Pick<IngressDeps, 'queues' | 'admission' | 'redis'>;

/** `known`: the position the enqueue just read, to save a round trip. */
export async function queuePlaceOf(deps: PlaceDeps, job: PlacedJob, known?: number): Promise<QueuePlace> {
  if (known !== undefined && job.status === 'queued') return placeAt(deps, job.provider, known);
  const [place] = await queuePlacesOf(deps, [job]);
  return place ?? NOT_QUEUED;
}

/**
 * The places of several jobs (a page of the job list), one Redis round trip per provider queue.
 * An estimate: when Redis cannot say (a hang ends with the request), the jobs are shown without one.
 */
export async function queuePlacesOf(deps: PlaceDeps, jobs: readonly PlacedJob[]): Promise<QueuePlace[]> {
  const places = jobs.map((): QueuePlace => NOT_QUEUED);
  const byProvider = new Map<string, number[]>();
  jobs.forEach((job, index) => {
    if (job.status !== 'queued' || !deps.queues.has(job.provider)) return;
    byProvider.set(job.provider, [...(byProvider.get(job.provider) ?? []), index]);
  });
  await Promise.all(
    [...byProvider].map(async ([provider, indexes]) => {
      const queue = deps.queues.get(provider);
      if (queue === undefined) return;
      const wanted = indexes.flatMap((index) => {
        const job = jobs[index];
        return job === undefined ? [] : [{ id: job.id, routeIndex: job.route_index }];
      });
      const positions = await queuePositions(deps.redis, queue, wanted).catch(() => undefined);
      if (positions === undefined) return;
      await Promise.all(
        indexes.map(async (index, order) => {
          places[index] = await placeAt(deps, provider, positions[order] ?? 0);
        }),
      );
    }),
  );
  return places;
}

/** The provider's wait comes from admission's shared read: no Redis call of its own while that is fresh. */
async function placeAt(deps: PlaceDeps, provider: string, position: number): Promise<QueuePlace> {
  const { estimatedStartAt, heldBy } = await deps.admission.waitOf(provider, position);
  return { position, estimatedStartAt, heldBy };
}
