import {
  type JobOperation,
  type JobResult,
  type RecordedSuccess,
  type RoutingAttempt,
  recordedSuccessSchema,
  type StoredImage,
  type UpstreamTask,
} from '@imagegate/contracts';
import { type ErrorObject, newId } from '@imagegate/core';
import { type JobRow, type JobStatus, jobColumnsSchema, parseJobRow } from './job-row.ts';
import type { Queryable } from './pool.ts';
import { type TerminalTransition, webhookOutboxInsert } from './webhook-outbox.ts';

/** A job as submitted; `insertJobsWithHolds` records it together with its hold. */
export type NewJob = JobOperation & {
  id: string;
  accountId: string;
  /** The model asked for (the route's first step) and its provider. */
  model: string;
  provider: string;
  responseFormat: 'url' | 'b64_json';
  metadata: Record<string, string>;
  /** Catalog prices of every model on the route, frozen now (by model id). */
  prices: JobRow['prices'];
  /** With the key, the same request returns the same job for 24 h. */
  idempotencyKey?: string | undefined;
  /** Tells a replay under `idempotencyKey` from another body. */
  requestHash?: string | undefined;
  webhookUrl?: string | undefined;
};

export async function findJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query('select * from jobs where id = $1', [id]);
  return rows[0] === undefined ? undefined : parseJobRow(rows[0]);
}

/** A job only its owner may see: another account's job is simply not found. */
export async function findJobForAccount(db: Queryable, id: string, accountId: string): Promise<JobRow | undefined> {
  const { rows } = await db.query('select * from jobs where id = $1 and account_id = $2', [id, accountId]);
  return rows[0] === undefined ? undefined : parseJobRow(rows[0]);
}

/** Newest first; `after` is the id of the last job of the previous page; `statuses` keeps only those. */
export async function listJobsForAccount(
  db: Queryable,
  accountId: string,
  options: { limit: number; after?: string | undefined; statuses?: readonly JobStatus[] | undefined },
): Promise<JobRow[]> {
  const { rows } = await db.query(
    `select * from jobs where account_id = $1 and ($2::text is null or id < $2)
       and ($4::text[] is null or status = any($4)) order by id desc limit $3`,
    [accountId, options.after ?? null, options.limit, options.statuses ?? null],
  );
  return rows.map(parseJobRow);
}

const finishedSchema = jobColumnsSchema.pick({ id: true, status: true });

/** Terminal statuses of the given jobs (those still running are absent). */
export async function findFinishedJobIds(db: Queryable, ids: string[]): Promise<Map<string, JobStatus>> {
  const { rows } = await db.query(
    `select id, status from jobs where id = any($1) and status in ('succeeded', 'failed', 'canceled')`,
    [ids],
  );
  return new Map(rows.map((row) => finishedSchema.parse(row)).map((row) => [row.id, row.status]));
}

/**
 * A worker takes the job: counts the attempt. Returns undefined when the job is already terminal
 * (a duplicate delivery, or canceled while queued) or has moved on to another step of its route
 * than `routeIndex` (a late delivery of a step that fell back), so the worker does nothing.
 */
export async function startJobAttempt(db: Queryable, id: string, routeIndex = 0): Promise<JobRow | undefined> {
  // The deadline starts with the first attempt on the serving model (a fallback gets its own).
  const { rows } = await db.query(
    `update jobs set status = 'in_progress', attempts = attempts + 1, started_at = coalesce(started_at, now()),
       deadline_at = coalesce(deadline_at, now() + ((parameters->>'deadlineMs')::bigint * interval '1 millisecond'))
     where id = $1 and status in ('queued', 'in_progress') and route_index = $2 returning *`,
    [id, routeIndex],
  );
  return rows[0] === undefined ? undefined : parseJobRow(rows[0]);
}

/** A success recorded: the transition, and what the statement wrote (announced to waiting requests). */
export interface SucceededTransition extends TerminalTransition {
  recorded: RecordedSuccess;
}

/**
 * The images are in S3: records them with the result and marks the job succeeded in ONE statement
 * (with its webhook delivery, outbox), so a sync request waits for one round trip, not two. A
 * conditional update: only the first of two racing deliveries makes the transition. The statement
 * returns the columns it changed, which the ending's announcement carries.
 */
export async function completeJobWithImages(
  db: Queryable,
  id: string,
  images: StoredImage[],
  result: JobResult,
  attempt: RoutingAttempt,
): Promise<SucceededTransition | undefined> {
  const { rows } = await db.query<RecordedColumns & { webhook_delivery_id: string | null }>({
    name: 'complete-job-with-images',
    text: `with job as (
       update jobs set images = $2, result = $3, status = 'succeeded',
         completed_at = now(), routing = jsonb_set(routing, '{attempts}', (routing->'attempts') || $4::jsonb)
       where id = $1 and status = 'in_progress'
       returning id, account_id, status, webhook_url, route_index, attempts, images, result, routing, started_at,
         completed_at
     ), delivery as (${webhookOutboxInsert('$5')})
     select (select id from delivery) as webhook_delivery_id, route_index, attempts, images, result, routing,
       started_at, completed_at from job`,
    values: [id, JSON.stringify(images), result, JSON.stringify([attempt]), newId('whd')],
  });
  const row = rows[0];
  if (row === undefined) return undefined;
  const { webhook_delivery_id: webhookDeliveryId, started_at: startedAt, completed_at: completedAt, ...columns } = row;
  const recorded = recordedSuccessSchema.parse({
    ...columns,
    started_at: startedAt?.toISOString() ?? null,
    completed_at: completedAt.toISOString(),
  });
  return { webhookDeliveryId, recorded };
}

/** The columns a success changes, as node-postgres hands them over. */
interface RecordedColumns {
  route_index: number;
  attempts: number;
  images: unknown;
  result: unknown;
  routing: unknown;
  started_at: Date | null;
  completed_at: Date;
}

/**
 * Appends a failed attempt to the job's routing log. Its upstream tasks stay recorded: one that
 * is still rendering (the attempt timed out, a poll failed) is resumed by the next attempt, and
 * one that ended badly is replaced by the adapter.
 */
export async function recordFailedAttempt(db: Queryable, id: string, attempt: RoutingAttempt): Promise<void> {
  await db.query(
    `update jobs set routing = jsonb_set(routing, '{attempts}', (routing->'attempts') || $2::jsonb)
     where id = $1`,
    [id, JSON.stringify([attempt])],
  );
}

/** Remembers the task upstream call `index` of a running job was given. */
export async function recordUpstreamTask(db: Queryable, id: string, index: number, task: UpstreamTask): Promise<void> {
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
  canceled: { errorStatus: number; error: ErrorObject },
): Promise<(TerminalTransition & { job: JobRow }) | undefined> {
  const { rows } = await db.query(
    `with job as (
       update jobs set
         status = case when status = 'queued' then 'canceled' else status end,
         completed_at = case when status = 'queued' then now() else completed_at end,
         error_status = case when status = 'queued' then $4::integer else error_status end,
         error = case when status = 'queued' then $5::jsonb else error end,
         cancel_requested = cancel_requested or status = 'in_progress'
       where id = $1 and account_id = $2 returning *
     ), delivery as (${webhookOutboxInsert('$3')})
     select job.*, (select id from delivery) as webhook_delivery_id from job`,
    [id, accountId, newId('whd'), canceled.errorStatus, canceled.error],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const { webhook_delivery_id: webhookDeliveryId, ...job } = row;
  return { job: parseJobRow(job), webhookDeliveryId: typeof webhookDeliveryId === 'string' ? webhookDeliveryId : null };
}

/** The job an account submitted with an idempotency key (within the last 24 h). */
export async function findJobByIdempotencyKey(
  db: Queryable,
  accountId: string,
  key: string,
): Promise<JobRow | undefined> {
  const { rows } = await db.query(
    `select * from jobs where account_id = $1 and idempotency_key = $2 and created_at > now() - interval '24 hours'`,
    [accountId, key],
  );
  return rows[0] === undefined ? undefined : parseJobRow(rows[0]);
}

/** Frees a key older than 24 h so it can be used again. */
export async function expireIdempotencyKey(db: Queryable, accountId: string, key: string): Promise<void> {
  await db.query(
    `update jobs set idempotency_key = null
     where account_id = $1 and idempotency_key = $2 and created_at <= now() - interval '24 hours'`,
    [accountId, key],
  );
}
