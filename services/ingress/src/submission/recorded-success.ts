import type { JobEvent } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';

/**
 * The job as Postgres holds it after its success, from the row this request read before and what
 * the success's statement recorded (carried by its event): undefined when the event carries no
 * record, or the job moved to another step of its route since the row was read (the model, its
 * parameters and its prices would differ), and the job must be read back instead. Only the columns
 * settlement writes later (`settled_at`, `charged_micros`) may be newer in Postgres by now.
 */
export function withRecordedSuccess(job: JobRow, event: JobEvent | undefined): JobRow | undefined {
  const recorded = event?.status === 'succeeded' ? event.recorded : undefined;
  if (recorded === undefined || recorded.route_index !== job.route_index) return undefined;
  return {
    ...job,
    status: 'succeeded',
    attempts: recorded.attempts,
    images: recorded.images,
    result: recorded.result,
    routing: recorded.routing,
    started_at: recorded.started_at === null ? null : new Date(recorded.started_at),
    completed_at: new Date(recorded.completed_at),
  };
}
