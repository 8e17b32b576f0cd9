import {
  type JobOperation,
  jobMetadataSchema,
  jobOperationSchema,
  jobPricesSchema,
  jobResultSchema,
  jobRoutingSchema,
  storedErrorSchema,
  storedImageSchema,
  upstreamTasksSchema,
} from '@imagegate/contracts';
import { z } from 'zod';

export const jobStatusSchema = z.enum(['queued', 'in_progress', 'succeeded', 'failed', 'canceled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

const date = z.date();

/**
 * The columns every job has, whatever its operation, as node-postgres hands them over (jsonb
 * decoded, int8 as bigint: see pool.ts), each JSON column with its schema.
 */
export const jobColumnsSchema = z.object({
  id: z.string(),
  account_id: z.string(),
  status: jobStatusSchema,
  /** The model serving now (that of `route[route_index]`), and its provider (its queue). */
  model: z.string(),
  provider: z.string(),
  response_format: z.enum(['url', 'b64_json']),
  metadata: jobMetadataSchema,
  attempts: z.int(),
  images: z.array(storedImageSchema).nullable(),
  result: jobResultSchema.nullable(),
  error_status: z.int().nullable(),
  error: storedErrorSchema.nullable(),
  routing: jobRoutingSchema,
  cancel_requested: z.boolean(),
  /** Upstream tasks in flight, by call index (`"0"`, `"1"` …), for asynchronous upstreams. */
  upstream_tasks: upstreamTasksSchema,
  /** Called when the job ends; checked by the URL guard at submission. */
  webhook_url: z.string().nullable(),
  /** Markup frozen at submission, in thousandths (1500 = 1.5x). */
  markup_permille: z.int(),
  /** Catalog prices of every model that may serve the job, frozen at submission (by model id). */
  prices: jobPricesSchema,
  hold_micros: z.bigint(),
  charged_micros: z.bigint().nullable(),
  settled_at: date.nullable(),
  idempotency_key: z.string().nullable(),
  request_hash: z.string().nullable(),
  /** Which entry of `route` serves now; `model`, `provider` and `parameters` are its. */
  route_index: z.int(),
  /** When the job times out (504), set when it first starts. */
  deadline_at: date.nullable(),
  created_at: date,
  started_at: date.nullable(),
  completed_at: date.nullable(),
  /** When the retention sweep deleted the job's images and inputs (IMAGE_RETENTION_DAYS after it ended). */
  images_expired_at: date.nullable(),
});
export type JobColumns = z.infer<typeof jobColumnsSchema>;

/**
 * A job as read from Postgres: its columns, and the branch of its operation (`operation`,
 * `request`, `parameters`, `route`).
 */
export type JobRow = JobColumns & JobOperation;

/**
 * Parses a `jobs` row read with `select *` (or `returning *`). A row that does not parse is a bug
 * (or a hand-edited database) and throws, naming the job.
 */
export function parseJobRow(row: unknown): JobRow {
  const columns = jobColumnsSchema.safeParse(row);
  const operation = jobOperationSchema.safeParse(row);
  if (columns.success && operation.success) return { ...columns.data, ...operation.data };
  const issues = [...(columns.error?.issues ?? []), ...(operation.error?.issues ?? [])];
  const id = z.object({ id: z.string() }).safeParse(row).data?.id ?? 'without an id';
  throw new Error(`job ${id} does not parse: ${z.prettifyError(new z.ZodError(issues))}`);
}
