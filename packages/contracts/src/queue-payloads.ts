import { z } from 'zod';
import { jobResultSchema, jobRoutingSchema, storedImageSchema } from './job-record.ts';

/**
 * A provider queue job carries only the job id: Postgres holds the request, so a job that Redis
 * loses can be re-enqueued from the database alone, and no prompt or image bytes sit in Redis.
 */
export const generationJobPayloadSchema = z.object({
  jobId: z.string(),
  /** The W3C trace context of the enqueueing span, when tracing is on (the worker's spans continue it). */
  traceparent: z.string().max(55).optional(),
});
export type GenerationJobPayload = z.infer<typeof generationJobPayloadSchema>;

/** A settlement stream entry: the job whose hold to settle (Postgres holds the rest). */
export const settlementPayloadSchema = z.object({ jobId: z.string(), traceparent: z.string().max(55).optional() });
export type SettlementPayload = z.infer<typeof settlementPayloadSchema>;

/** A webhook queue entry: the delivery to attempt (Postgres holds the delivery). */
export const webhookDeliveryPayloadSchema = z.object({
  deliveryId: z.string(),
  traceparent: z.string().max(55).optional(),
});
export type WebhookDeliveryPayload = z.infer<typeof webhookDeliveryPayloadSchema>;

/**
 * What the statement that made a job succeed wrote, as Postgres returned it: the columns of the job
 * row that success changes. The step (`route_index`) tells whether the rest of a row read before
 * is still the job's (a job that fell back to another model has other parameters).
 */
export const recordedSuccessSchema = z.object({
  route_index: z.int(),
  attempts: z.int(),
  images: z.array(storedImageSchema),
  result: jobResultSchema,
  routing: jobRoutingSchema,
  started_at: z.iso.datetime().nullable(),
  completed_at: z.iso.datetime(),
});
export type RecordedSuccess = z.infer<typeof recordedSuccessSchema>;

/**
 * Published on the job-events channel when a job reaches a terminal state. A success carries what
 * was recorded, so a request waiting on the job answers without reading it back.
 */
export const jobEventSchema = z.object({
  jobId: z.string(),
  status: z.enum(['succeeded', 'failed', 'canceled']),
  // A record this reader cannot parse (another version wrote it) is dropped: the job is read back.
  recorded: recordedSuccessSchema.optional().catch(undefined),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

/**
 * What a running job reports before it ends, for the requests streaming it: a partial image or a
 * finished image stored (the object key, never the bytes), or a line of upstream progress. Kept in
 * a Redis stream per job, so a request that joins late reads what it missed.
 */
export const jobProgressEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('partial_image'),
    /** Which image of the job (its upstream call, when streaming). */
    image: z.int().min(0),
    /** The upstream's partial index within that image. */
    index: z.int().min(0),
    key: z.string(),
    content_type: z.string(),
  }),
  z.object({
    kind: z.literal('image'),
    image: z.int().min(0),
    key: z.string(),
    content_type: z.string(),
    /** What the upstream said of it (the completed event carries these). */
    size: z.string(),
    quality: z.string(),
    background: z.string(),
    output_format: z.string(),
    usage: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ kind: z.literal('progress'), message: z.string() }),
  /** A piece of a conversing model's text, as it streams in (chat). */
  z.object({ kind: z.literal('text'), delta: z.string() }),
]);
export type JobProgressEvent = z.infer<typeof jobProgressEventSchema>;
