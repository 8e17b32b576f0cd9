import type { ErrorObject } from '@imagegate/core';
import type { ImageUsage, OperationName, RoutingAttempt } from './job-record.ts';

export type JobStatus = 'queued' | 'in_progress' | 'succeeded' | 'failed' | 'canceled';

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** One image item in an OpenAI images response. */
export type ImageItem = { url: string } | { b64_json: string };

/** The OpenAI 200 body plus our `extra`. */
export interface ImagesResponseBody {
  created: number;
  data: ImageItem[];
  size: string;
  quality: string;
  output_format: string;
  background: string;
  usage?: ImageUsage;
  extra: { job_id: string; model: string; routing: { attempts: RoutingAttempt[] }; [key: string]: unknown };
}

/** A chat job's answer: OpenAI's `chat.completion`, the images in `message.images` (OpenRouter's). */
export interface ChatCompletionBody {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string;
      images: { type: 'image_url'; image_url: { url: string } }[];
    };
    finish_reason: 'stop';
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  extra: ImagesResponseBody['extra'];
}

/** Money of one job, in USD (docs/api.md, "Pricing"). */
export interface JobBilling {
  held_usd: number;
  charged_usd: number;
  refunded_usd: number;
  /** What one image costs this account (catalog price × markup). */
  unit_price_usd: number;
  markup: number;
  /**
   * What the upstream charged us for this job (from its reported usage at the catalog's rates),
   * next to `charged_usd`; null until the job succeeded.
   */
  upstream_cost_usd: number | null;
}

/** `GET /v1/images/jobs/{id}` (docs/api.md, "Jobs"). */
export interface JobResource {
  id: string;
  object: 'image.job';
  status: JobStatus;
  model: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  queue_position: number | null;
  /** For a queued job: when it should start, from its position and its provider's rate limit (unix s). */
  estimated_start_at: number | null;
  /** `generate` or `edit`: what the job does with its request. */
  operation: OperationName;
  /** The request as resolved; an edit's inputs with fresh presigned URLs. */
  request: Record<string, unknown>;
  /** `data` is empty once the images expired (`images_expired_at`). */
  /** The images body; for a chat job, the chat completion (with presigned URLs). */
  result: ImagesResponseBody | ChatCompletionBody | null;
  /** When the retention sweep deleted the job's images and inputs (unix s), or null. */
  images_expired_at: number | null;
  error: ErrorObject | null;
  billing: JobBilling;
  routing: { attempts: RoutingAttempt[] };
  metadata: Record<string, string>;
  /**
   * `warnings`: what was honoured only approximately (as in the result's `extra.warnings`), and,
   * while the job is queued behind a provider limit, which limit holds it and when it should start.
   */
  extra: { warnings: string[] };
}
