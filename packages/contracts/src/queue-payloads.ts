import { z } from 'zod';

/**
 * A provider queue job carries only the job id: Postgres holds the request, so a job that Redis
 * loses can be re-enqueued from the database alone, and no prompt or image bytes sit in Redis.
 */
export const generationJobPayloadSchema = z.object({ jobId: z.string() });
export type GenerationJobPayload = z.infer<typeof generationJobPayloadSchema>;

/** Published on the job-events channel when a job reaches a terminal state. */
export const jobEventSchema = z.object({
  jobId: z.string(),
  status: z.enum(['succeeded', 'failed', 'canceled']),
});
export type JobEvent = z.infer<typeof jobEventSchema>;
