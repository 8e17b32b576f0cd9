import type { Queryable } from './pool.ts';

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveryRow {
  /** `whd_…`: the `webhook-id` of every attempt and the BullMQ job id of the delivery. */
  id: string;
  job_id: string;
  account_id: string;
  event_type: 'image.job.succeeded' | 'image.job.failed' | 'image.job.canceled';
  url: string;
  status: WebhookDeliveryStatus;
  /** Failed attempts since the delivery was (re)started: its position in the retry schedule. */
  consecutive_failures: number;
  attempt_count: number;
  next_attempt_at: Date;
  created_at: Date;
  completed_at: Date | null;
}

export interface WebhookDeliveryAttemptRow {
  delivery_id: string;
  number: number;
  attempted_at: Date;
  duration_ms: number;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
}

/** What one attempt found. */
export interface WebhookAttempt {
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

/** Where the delivery stands after an attempt: done either way, or due again at `nextAttemptAt`. */
export type WebhookAttemptVerdict =
  | { status: 'succeeded' }
  | { status: 'failed' }
  | { status: 'pending'; nextAttemptAt: Date };

export async function findWebhookDelivery(db: Queryable, id: string): Promise<WebhookDeliveryRow | undefined> {
  const { rows } = await db.query<WebhookDeliveryRow>('select * from webhook_deliveries where id = $1', [id]);
  return rows[0];
}

export async function listWebhookDeliveriesForJob(db: Queryable, jobId: string): Promise<WebhookDeliveryRow[]> {
  const { rows } = await db.query<WebhookDeliveryRow>(
    'select * from webhook_deliveries where job_id = $1 order by id',
    [jobId],
  );
  return rows;
}

/** The attempts of the given deliveries, oldest first. */
export async function listWebhookDeliveryAttempts(
  db: Queryable,
  deliveryIds: string[],
): Promise<WebhookDeliveryAttemptRow[]> {
  const { rows } = await db.query<WebhookDeliveryAttemptRow>(
    'select * from webhook_delivery_attempts where delivery_id = any($1) order by delivery_id, number',
    [deliveryIds],
  );
  return rows;
}

/**
 * Records an attempt and moves the delivery on, in one statement. The attempt is always recorded
 * (it happened); the verdict applies only while the delivery is pending, so a late attempt (a
 * worker that stalled and came back) cannot undo a delivery that another attempt completed.
 */
export async function recordWebhookAttempt(
  db: Queryable,
  deliveryId: string,
  attempt: WebhookAttempt,
  verdict: WebhookAttemptVerdict,
): Promise<void> {
  await db.query(
    `with delivery as (
       update webhook_deliveries set
         attempt_count = attempt_count + 1,
         consecutive_failures = case when status <> 'pending' then consecutive_failures
           when $2::text = 'succeeded' then 0 else consecutive_failures + 1 end,
         next_attempt_at = case when status = 'pending' and $2::text = 'pending' then $3::timestamptz
           else next_attempt_at end,
         completed_at = case when status = 'pending' and $2::text <> 'pending' then now() else completed_at end,
         status = case when status = 'pending' then $2::text else status end
       where id = $1
       returning attempt_count
     )
     insert into webhook_delivery_attempts
       (delivery_id, number, attempted_at, duration_ms, status_code, response_excerpt, error)
     select $1, delivery.attempt_count, $4, $5, $6, $7, $8 from delivery`,
    [
      deliveryId,
      verdict.status,
      verdict.status === 'pending' ? verdict.nextAttemptAt : null,
      attempt.attemptedAt,
      attempt.durationMs,
      attempt.statusCode,
      attempt.responseExcerpt,
      attempt.error,
    ],
  );
}

/**
 * `POST …/webhook_deliveries/{id}/retry`: the delivery is due again now, with the whole retry
 * schedule ahead of it. Returns the row after the change.
 */
export async function restartWebhookDelivery(db: Queryable, id: string): Promise<WebhookDeliveryRow | undefined> {
  const { rows } = await db.query<WebhookDeliveryRow>(
    `update webhook_deliveries set status = 'pending', consecutive_failures = 0, next_attempt_at = now(),
       completed_at = null
     where id = $1 returning *`,
    [id],
  );
  return rows[0];
}

/**
 * Pending deliveries due more than `graceSeconds` ago: their queue entry may be lost (a crash
 * between the terminal update and the enqueue, or Redis losing data). What the sweep re-enqueues.
 */
export async function findOverdueWebhookDeliveryIds(
  db: Queryable,
  options: { graceSeconds: number; limit: number },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from webhook_deliveries where status = 'pending'
       and next_attempt_at < now() - make_interval(secs => $1) order by next_attempt_at limit $2`,
    [options.graceSeconds, options.limit],
  );
  return rows.map((row) => row.id);
}
