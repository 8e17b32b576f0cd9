import type { ImagesResponseBody, InputImage, JobResource } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';
import type { ObjectStore } from '@imagegate/storage';
import { billingOf } from './billing.ts';
import { chatCompletionOf } from './chat-completion.ts';

const seconds = (date: Date | null): number | null => (date === null ? null : Math.floor(date.getTime() / 1000));

/**
 * The OpenAI body of a succeeded job, minus `data` (which is either URLs or streamed base64).
 * `moreWarnings`: what the answering request adds (that the job waited behind a provider limit).
 */
export function imagesResponseHead(
  job: JobRow,
  moreWarnings: readonly string[] = [],
): Omit<ImagesResponseBody, 'data'> {
  const result = job.result;
  return {
    created: result?.created ?? Math.floor(job.created_at.getTime() / 1000),
    size: result?.size ?? job.parameters.size,
    quality: echoedQuality(job),
    output_format: result?.output_format ?? job.parameters.outputFormat,
    background: result?.background ?? job.parameters.background,
    ...(result?.usage ? { usage: result.usage } : {}),
    extra: {
      job_id: job.id,
      model: job.model,
      ...appliedShape(job),
      warnings: [...warningsOf(job), ...moreWarnings],
      routing: job.routing,
      billing: billingOf(job),
    },
  };
}

/** Qualities a client may send back as they are (an upstream's `standard` is not one). */
const REQUESTABLE_QUALITIES: readonly string[] = ['low', 'medium', 'high', 'xhigh', 'max'];

/**
 * The quality a response echoes: what the upstream applied when the model takes it as a request
 * value, else what the request resolved to (`auto` on models without a quality knob).
 */
function echoedQuality(job: JobRow): string {
  const applied = job.result?.quality;
  return applied !== undefined && REQUESTABLE_QUALITIES.includes(applied) ? applied : job.parameters.quality;
}

/** For aspect-ratio models, the ratio and resolution class the upstream was asked for. */
function appliedShape(job: JobRow): { aspect_ratio?: string; image_size?: string } {
  const { aspectRatio, imageSize } = job.parameters;
  return {
    ...(aspectRatio === undefined ? {} : { aspect_ratio: aspectRatio }),
    ...(imageSize === undefined ? {} : { image_size: imageSize }),
  };
}

/** What was said at submission (deprecation, inexact mapping) and by the upstream call. */
export function warningsOf(job: JobRow): string[] {
  return [...job.parameters.warnings, ...(job.result?.warnings ?? [])];
}

/** The images as freshly presigned URLs (valid `ttlSeconds`); none once the retention sweep deleted them. */
export function presignedImages(job: JobRow, store: ObjectStore, ttlSeconds: number): { url: string }[] {
  if (job.images_expired_at !== null) return [];
  const now = new Date();
  return (job.images ?? []).map((image) => ({ url: store.presignGet(image.key, ttlSeconds, now) }));
}

/** An edit's input as the job shows it: a URL presigned on each read in place of its key. */
function shownInput(image: InputImage, store: ObjectStore, ttlSeconds: number, now: Date) {
  const { key, content_type, ...described } = image;
  return { url: store.presignGet(key, ttlSeconds, now), content_type, ...described };
}

/**
 * The request as the job shows it: an edit's inputs as `{url, content_type, width, height, bytes,
 * sha256}`, so a client (or a webhook receiver) can fetch exactly what was edited.
 */
function shownRequest(job: JobRow, store: ObjectStore, ttlSeconds: number): Record<string, unknown> {
  const now = new Date();
  if (job.operation === 'chat') {
    const { images, ...fields } = job.request;
    return images === undefined
      ? fields
      : { ...fields, images: images.map((image) => shownInput(image, store, ttlSeconds, now)) };
  }
  if (job.operation !== 'edit') return job.request;
  const { images, mask, ...fields } = job.request;
  return {
    ...fields,
    images: images.map((image) => shownInput(image, store, ttlSeconds, now)),
    ...(mask === undefined ? {} : { mask: shownInput(mask, store, ttlSeconds, now) }),
  };
}

/** A succeeded job's answer as its endpoint gave it: the images body, or a chat job's chat completion. */
function resultOf(job: JobRow, store: ObjectStore, ttlSeconds: number): JobResource['result'] {
  const data = presignedImages(job, store, ttlSeconds);
  if (job.operation === 'chat') {
    return chatCompletionOf(
      job,
      data.map((image) => image.url),
      imagesResponseHead(job).extra,
    );
  }
  return { ...imagesResponseHead(job), data };
}

/**
 * `GET /v1/images/jobs/{id}`: a succeeded job's result carries URLs presigned on each read.
 * `warnings`: what holds the job now (a provider limit), after what was said at submission and by the upstream.
 */
export function toJobResource(
  job: JobRow,
  options: {
    store: ObjectStore;
    imageUrlTtlS: number;
    queuePosition: number | null;
    estimatedStartAt?: number | null;
    warnings?: readonly string[];
  },
): JobResource {
  const succeeded = job.status === 'succeeded';
  return {
    id: job.id,
    object: 'image.job',
    status: job.status,
    model: job.model,
    created_at: seconds(job.created_at) ?? 0,
    started_at: seconds(job.started_at),
    completed_at: seconds(job.completed_at),
    queue_position: options.queuePosition,
    estimated_start_at: options.estimatedStartAt ?? null,
    operation: job.operation,
    request: shownRequest(job, options.store, options.imageUrlTtlS),
    result: succeeded ? resultOf(job, options.store, options.imageUrlTtlS) : null,
    images_expired_at: seconds(job.images_expired_at),
    error: job.error,
    billing: billingOf(job),
    routing: job.routing,
    metadata: job.metadata,
    extra: { warnings: [...warningsOf(job), ...(options.warnings ?? [])] },
  };
}
