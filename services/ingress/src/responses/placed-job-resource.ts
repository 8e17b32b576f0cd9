import type { JobResource } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';
import { toJobResource } from '@imagegate/resources';
import type { IngressDeps } from '../deps.ts';
import { limitHoldWarning } from '../limit-hold.ts';
import type { QueuePlace } from '../submission/job-position.ts';

/**
 * The job resource as the ingress shows it (a 202, a job read, a page of the list): with its place
 * in the queue and, when a provider limit holds it back, a warning that says which and until when.
 */
export function placedJobResource(
  deps: Pick<IngressDeps, 'store' | 'settings'>,
  job: JobRow,
  place: QueuePlace,
): JobResource {
  return toJobResource(job, {
    store: deps.store,
    imageUrlTtlS: deps.settings.imageUrlTtlS,
    queuePosition: place.position,
    estimatedStartAt: place.estimatedStartAt,
    warnings: place.heldBy === undefined ? [] : [limitHoldWarning(place.heldBy, 'queued')],
  });
}
