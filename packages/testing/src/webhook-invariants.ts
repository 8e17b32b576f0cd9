import type { Pool } from '@imagegate/db';

/**
 * The outbox invariant: every finished job that asked for a webhook has exactly one delivery, for
 * the status it finished with. Returns the ids of the jobs that break it.
 */
export async function findJobsWithoutTheirWebhook(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `select jobs.id from jobs
     where jobs.webhook_url is not null and jobs.status in ('succeeded', 'failed', 'canceled')
       and (select count(*) from webhook_deliveries d
            where d.job_id = jobs.id and d.event_type = 'image.job.' || jobs.status) <> 1`,
  );
  return rows.map((row) => row.id);
}
