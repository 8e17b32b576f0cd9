import type { JobResource } from './job-resource.ts';

export type WebhookEventType = 'image.job.succeeded' | 'image.job.failed' | 'image.job.canceled';

/**
 * The body of a webhook (docs/api.md, "Webhooks"; Standard Webhooks' recommended shape). `timestamp` is
 * when the job ended; `data` is the job resource as it reads at delivery time, so its image URLs
 * are freshly presigned on every attempt.
 */
export interface WebhookEvent {
  type: WebhookEventType;
  /** ISO 8601. */
  timestamp: string;
  data: JobResource;
}

/** A delivery's attempt, as listed on `GET /v1/images/jobs/{id}/webhook_deliveries`. */
export interface WebhookDeliveryAttemptResource {
  /** Unix seconds. */
  attempted_at: number;
  /** The receiver's HTTP status, or null when it did not answer. */
  status_code: number | null;
  duration_ms: number;
  response_excerpt: string | null;
  error: string | null;
}

export interface WebhookDeliveryResource {
  /** `whd_…`, also the `webhook-id` header of every attempt. */
  id: string;
  object: 'webhook.delivery';
  job_id: string;
  event_type: WebhookEventType;
  url: string;
  status: 'pending' | 'succeeded' | 'failed';
  created_at: number;
  /** When the next attempt is due (Unix seconds), while pending. */
  next_attempt_at: number | null;
  completed_at: number | null;
  attempts: WebhookDeliveryAttemptResource[];
}
