import type { WebhookDeliveryResource } from '@imagegate/contracts';
import type { WebhookDeliveryAttemptRow, WebhookDeliveryRow } from '@imagegate/db';

const seconds = (date: Date | null): number | null => (date === null ? null : Math.floor(date.getTime() / 1000));

/** A delivery with its attempts, as `GET /v1/images/jobs/{id}/webhook_deliveries` lists it. */
export function toWebhookDeliveryResource(
  delivery: WebhookDeliveryRow,
  attempts: WebhookDeliveryAttemptRow[],
): WebhookDeliveryResource {
  return {
    id: delivery.id,
    object: 'webhook.delivery',
    job_id: delivery.job_id,
    event_type: delivery.event_type,
    url: delivery.url,
    status: delivery.status,
    created_at: seconds(delivery.created_at) ?? 0,
    next_attempt_at: delivery.status === 'pending' ? seconds(delivery.next_attempt_at) : null,
    completed_at: seconds(delivery.completed_at),
    attempts: attempts
      .filter((attempt) => attempt.delivery_id === delivery.id)
      .map((attempt) => ({
        attempted_at: seconds(attempt.attempted_at) ?? 0,
        status_code: attempt.status_code,
        duration_ms: attempt.duration_ms,
        response_excerpt: attempt.response_excerpt,
        error: attempt.error,
      })),
  };
}
