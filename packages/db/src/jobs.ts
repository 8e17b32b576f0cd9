import { type ErrorObject, newId } from '@imagegate/core';
import type { Queryable } from './pool.ts';
import { type TerminalTransition, webhookOutboxInsert } from './webhook-outbox.ts';

export type JobStatus = 'queued' | 'in_progress' | 'succeeded' | 'failed' | 'canceled';

/** An image of a job, stored in S3 under a key derived from the job id and the image index. */
export interface StoredImage {
  key: string;
  content_type: string;
  bytes: number;
}

/** What the upstream said about the images, kept for the response body. */
export interface JobResult {
  created: number;
  size: string;
  quality: string;
  output_format: string;
  background: string;
  usage?: Record<string, unknown> | undefined;
  /** What the upstream calls could not honour exactly. */
  warnings?: string[] | undefined;
}

export interface RoutingAttemptRow {
  provider: string;
  model: string;
  /** `rate_limited`: the upstream said 429 with Retry-After; the job went back to its queue. */
  status: 'succeeded' | 'failed' | 'rate_limited';
  error_code?: string | null;
  duration_ms?: number;
}

/** One model a job may be served by, with the parameters resolved for it at submission. */
export interface RouteEntry {
  model: string;
  provider: string;
  parameters: Record<string, unknown>;
}

export interface JobRow {
  id: string;
  account_id: string;
  status: JobStatus;
  model: string;
  provider: string;
  request: Record<string, unknown>;
  parameters: Record<string, unknown>;
  response_format: 'url' | 'b64_json';
  metadata: Record<string, string>;
  progress: 'accepted' | 'images_stored' | 'result_recorded';
  attempts: number;
  images: StoredImage[] | null;
  result: JobResult | null;
  error_status: number | null;
  error: ErrorObject | null;
  routing: { attempts: RoutingAttemptRow[] };
  cancel_requested: boolean;
  /** Upstream tasks in flight, by call index (`"0"`, `"1"` …), for asynchronous upstreams. */
  upstream_tasks: Record<string, unknown>;
  /** Called when the job ends (docs/api.md, "Webhooks"); checked by the URL guard at submission. */
  webhook_url: string | null;
  /** Markup frozen at submission, in thousandths (1500 = 1.5x). */
  markup_permille: number;
  /** Catalog prices of every model that may serve the job, frozen at submission (by model id). */
  prices: Record<string, unknown>;
  hold_micros: bigint;
  charged_micros: bigint | null;
  settled_at: Date | null;
  idempotency_key: string | null;
  request_hash: string | null;
  /** The models that may serve the job, in order (empty without fallbacks); see migration 0005. */
  route: RouteEntry[];
  /** Which entry of `route` serves now; `model`, `provider` and `parameters` are its. */
  route_index: number;
  /** When the job times out (504), set when it first starts. */
  deadline_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

/** A job as submitted; `insertJobWithHold` records it together with its hold. */
export interface NewJob {
  id: string;
  accountId: string;
  model: string;
  provider: string;
  request: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** Empty without fallbacks. */
  route: RouteEntry[];
  responseFormat: 'url' | 'b64_json';
  metadata: Record<string, string>;
  markupPermille: number;
  prices: Record<string, unknown>;
  holdMicros: bigint;
  idempotencyKey?: string | undefined;
  requestHash?: string | undefined;
  webhookUrl?: string | undefined;
}

export async function findJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>('select * from jobs where id = $1', [id]);
  return rows[0];
}

/** A job only its owner may see: another account's job is simply not found. */
export async function findJobForAccount(db: Queryable, id: string, accountId: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>('select * from jobs where id = $1 and account_id = $2', [id, accountId]);
  return rows[0];
}

/** Newest first; `after` is the id of the last job of the previous page. */
export async function listJobsForAccount(
  db: Queryable,
  accountId: string,
  options: { limit: number; after?: string | undefined },
): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `select * from jobs where account_id = $1 and ($2::text is null or id < $2) order by id desc limit $3`,
    [accountId, options.after ?? null, options.limit],
  );
  return rows;
}

/** How many jobs of the same provider wait ahead of this one. */
export async function queuePosition(db: Queryable, job: Pick<JobRow, 'id' | 'provider'>): Promise<number> {
  const { rows } = await db.query<{ ahead: bigint }>(
    `select count(*) as ahead from jobs where provider = $1 and status = 'queued' and id < $2`,
    [job.provider, job.id],
  );
  return Number(rows[0]?.ahead ?? 0n);
}

/** Terminal statuses of the given jobs (those still running are absent). */
export async function findFinishedJobIds(db: Queryable, ids: string[]): Promise<Map<string, JobStatus>> {
  const { rows } = await db.query<{ id: string; status: JobStatus }>(
    `select id, status from jobs where id = any($1) and status in ('succeeded', 'failed', 'canceled')`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}

/**
 * A worker takes the job: counts the attempt. Returns undefined when the job is already terminal
 * (a duplicate delivery, or canceled while queued) or has moved on to another step of its route
 * than `routeIndex` (a late delivery of a step that fell back), so the worker does nothing.
 */
export async function startJobAttempt(db: Queryable, id: string, routeIndex = 0): Promise<JobRow | undefined> {
  // The deadline starts with the first attempt on the serving model (a fallback gets its own).
  const { rows } = await db.query<JobRow>(
    `update jobs set status = 'in_progress', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       deadline_at = coalesce(deadline_at, now() + ((parameters->>'deadlineMs')::bigint * interval '1 millisecond'))
     where id = $1 and status in ('queued', 'in_progress') and route_index = $2 returning *`,
    [id, routeIndex],
  );
  return rows[0];
}

/**
 * The images are in S3: records them with the result and marks the job succeeded in ONE statement
 * (with its webhook delivery, outbox), so a sync request waits for one round trip, not two. A
 * conditional update: only the first of two racing deliveries makes the transition.
 */
export async function completeJobWithImages(
  db: Queryable,
  id: string,
  images: StoredImage[],
  result: JobResult,
  attempt: RoutingAttemptRow,
): Promise<TerminalTransition | undefined> {
  const { rows } = await db.query<{ webhook_delivery_id: string | null }>({
    name: 'complete-job-with-images',
    text: `with job as (
       update jobs set images = $2, result = $3, progress = 'result_recorded', status = 'succeeded',
         completed_at = now(), routing = jsonb_set(routing, '{attempts}', (routing->'attempts') || $4::jsonb)
       where id = $1 and status = 'in_progress' and progress = 'accepted'
       returning id, account_id, status, webhook_url
     ), delivery as (${webhookOutboxInsert('$5')})
     select (select id from delivery) as webhook_delivery_id from job`,
    values: [id, JSON.stringify(images), result, JSON.stringify([attempt]), newId('whd')],
  });
  return transitionOf(rows);
}

/**
 * Appends a failed attempt to the job's routing log. Its upstream tasks stay recorded: one that
 * is still rendering (the attempt timed out, a poll failed) is resumed by the next attempt, and
 * one that ended badly is replaced by the adapter.
 */
export async function recordFailedAttempt(db: Queryable, id: string, attempt: RoutingAttemptRow): Promise<void> {
  await db.query(
    `update jobs set routing = jsonb_set(routing, '{attempts}', (routing->'attempts') || $2::jsonb)
     where id = $1`,
    [id, JSON.stringify([attempt])],
  );
}

/** Remembers the task upstream call `index` of a running job was given. */
export async function recordUpstreamTask(db: Queryable, id: string, index: number, task: unknown): Promise<void> {
  await db.query(
    `update jobs set upstream_tasks = jsonb_set(upstream_tasks, array[$2::text], $3::jsonb)
     where id = $1 and status = 'in_progress'`,
    [id, String(index), JSON.stringify(task)],
  );
}

/** The outcome of a terminal update: the transition, or undefined when another call made it already. */
function transitionOf(rows: { webhook_delivery_id: string | null }[]): TerminalTransition | undefined {
  const row = rows[0];
  return row === undefined ? undefined : { webhookDeliveryId: row.webhook_delivery_id };
}

/**
 * Marks the job succeeded once its images are stored (a job recorded in two steps by an earlier
 * version); a conditional update, so it happens once. Writes its webhook delivery in the same
 * statement (outbox).
 */
export async function completeJob(db: Queryable, id: string): Promise<TerminalTransition | undefined> {
  const { rows } = await db.query<{ webhook_delivery_id: string | null }>(
    `with job as (
       update jobs set status = 'succeeded', progress = 'result_recorded', completed_at = now()
       where id = $1 and status = 'in_progress' and progress = 'images_stored'
       returning id, account_id, status, webhook_url
     ), delivery as (${webhookOutboxInsert('$2')})
     select (select id from delivery) as webhook_delivery_id from job`,
    [id, newId('whd')],
  );
  return transitionOf(rows);
}

/**
 * Marks a non-terminal job failed or canceled, with its webhook delivery in the same statement.
 * Returns the transition when this call made the change.
 */
export async function finishJobUnsuccessfully(
  db: Queryable,
  id: string,
  outcome: { status: 'failed' | 'canceled'; errorStatus: number; error: ErrorObject },
): Promise<TerminalTransition | undefined> {
  const { rows } = await db.query<{ webhook_delivery_id: string | null }>(
    `with job as (
       update jobs set status = $2, error_status = $3, error = $4, completed_at = now()
       where id = $1 and status in ('queued', 'in_progress')
       returning id, account_id, status, webhook_url
     ), delivery as (${webhookOutboxInsert('$5')})
     select (select id from delivery) as webhook_delivery_id from job`,
    [id, outcome.status, outcome.errorStatus, outcome.error, newId('whd')],
  );
  return transitionOf(rows);
}

/**
 * Cancel on the owner's behalf. A queued job is canceled at once (with its webhook delivery, in
 * the same statement); a running one is asked to stop (`cancel_requested`) and the worker finishes
 * the cancel. Returns the row after the change.
 */
export async function requestJobCancel(
  db: Queryable,
  id: string,
  accountId: string,
): Promise<(TerminalTransition & { job: JobRow }) | undefined> {
  const { rows } = await db.query<JobRow & { webhook_delivery_id: string | null }>(
    `with job as (
       update jobs set
         status = case when status = 'queued' then 'canceled' else status end,
         completed_at = case when status = 'queued' then now() else completed_at end,
         error_status = case when status = 'queued' then 409 else error_status end,
         error = case when status = 'queued'
           then '{"message": "The job was canceled.", "type": "invalid_request_error", "param": null, "code": "canceled"}'::jsonb
           else error end,
         cancel_requested = cancel_requested or status = 'in_progress'
       where id = $1 and account_id = $2 returning *
     ), delivery as (${webhookOutboxInsert('$3')})
     select job.*, (select id from delivery) as webhook_delivery_id from job`,
    [id, accountId, newId('whd')],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const { webhook_delivery_id: webhookDeliveryId, ...job } = row;
  return { job, webhookDeliveryId };
}

/** The job an account submitted with an idempotency key (within the last 24 h). */
export async function findJobByIdempotencyKey(
  db: Queryable,
  accountId: string,
  key: string,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `select * from jobs where account_id = $1 and idempotency_key = $2 and created_at > now() - interval '24 hours'`,
    [accountId, key],
  );
  return rows[0];
}

/** Frees a key older than 24 h so it can be used again. */
export async function expireIdempotencyKey(db: Queryable, accountId: string, key: string): Promise<void> {
  await db.query(
    `update jobs set idempotency_key = null
     where account_id = $1 and idempotency_key = $2 and created_at <= now() - interval '24 hours'`,
    [accountId, key],
  );
}
