/**
 * The transactional outbox of webhooks: an SQL fragment for a statement whose CTE `job` just made a
 * job terminal (and returns its `id`, `account_id`, `status`, `webhook_url`). In the same statement
 * it writes the job's webhook delivery, if the job has a webhook_url, so no crash can finish a job
 * without its webhook. One delivery per job: finishing twice writes once. `idParameter` is the
 * placeholder of a fresh `whd_` id; the CTE returns the id only when it wrote the row.
 */
export function webhookOutboxInsert(idParameter: string): string {
  return `insert into webhook_deliveries (id, job_id, account_id, event_type, url)
    select ${idParameter}, job.id, job.account_id, 'image.job.' || job.status, job.webhook_url from job
    where job.webhook_url is not null and job.status in ('succeeded', 'failed', 'canceled')
    on conflict (job_id) do nothing
    returning id`;
}

/** What a statement that made a job terminal reports. */
export interface TerminalTransition {
  /** The webhook delivery it wrote, to enqueue now; null when the job has no webhook_url. */
  webhookDeliveryId: string | null;
}
