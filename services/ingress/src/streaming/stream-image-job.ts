import type { JobProgressEvent } from '@imagegate/contracts';
import type { Response } from 'express';
import type { Acceptance, SubmissionDeps } from '../submission/accept-job.ts';
import { followJob } from './follow-job.ts';
import { SseWriter } from './sse-writer.ts';

/** Which of OpenAI's event families a stream speaks: generations or edits. */
export type ImageStreamKind = 'image_generation' | 'image_edit';

/**
 * Answers a submitted job as OpenAI's image stream: `<kind>.partial_image` events as the worker
 * stores partials, a `<kind>.completed` event per image as each is stored (with the job id in
 * `extra`), then the end; `error` with the OpenAI error object when the job fails. The events carry
 * what the worker announced on the job's progress stream (object keys); the bytes are streamed
 * from the object store into the event as base64. Partials are numbered per image in the order
 * sent, so a retry that starts an image over continues the numbering. A client that leaves does
 * not stop the job.
 */
export async function streamImageJob(
  deps: SubmissionDeps,
  response: Response,
  acceptance: Exclude<Acceptance, { kind: 'client_gone' }>,
  kind: ImageStreamKind,
): Promise<void> {
  const jobId = acceptance.job.id;
  const writer = new SseWriter(response, { 'x-imagegate-job-id': jobId }, deps.settings.sseKeepAliveMs);
  const sentKeys = new Set<string>();
  /** Images whose completed event went out: their late partials (a retry's) are not sent. */
  const completedImages = new Set<number>();
  const partialsSent = new Map<number, number>();
  const params = acceptance.job.parameters;
  const requested = {
    size: params.size,
    quality: params.quality,
    background: params.background,
    output_format: params.outputFormat,
  };
  const imageFrom = (key: string) => ({
    field: 'b64_json',
    open: async () => (await deps.store.getObjectStream(key)).stream,
  });
  const completed = (key: string, fields: Record<string, unknown>) => {
    sentKeys.add(key);
    return writer.event(
      `${kind}.completed`,
      { type: `${kind}.completed`, created_at: now(), ...fields, extra: { job_id: jobId } },
      imageFrom(key),
    );
  };
  const onProgress = (event: JobProgressEvent) => {
    if (event.kind === 'progress') return writer.comment(event.message);
    if (event.kind === 'text') return; // a conversation's words: chat streams only
    if (event.kind === 'partial_image') {
      if (completedImages.has(event.image)) return;
      const index = partialsSent.get(event.image) ?? 0;
      partialsSent.set(event.image, index + 1);
      return writer.event(
        `${kind}.partial_image`,
        { type: `${kind}.partial_image`, created_at: now(), ...requested, partial_image_index: index },
        imageFrom(event.key),
      );
    }
    completedImages.add(event.image);
    if (sentKeys.has(event.key)) return;
    const { kind: _kind, image: _image, key, content_type: _type, usage, ...fields } = event;
    return completed(key, { ...fields, ...(usage === undefined ? {} : { usage }) });
  };

  const followed = await followJob(deps, response, acceptance, onProgress);
  if (followed.kind === 'left') return;
  if (followed.kind === 'running') {
    // Shutting down, or an hour gone: the job runs on and can be read at its URL.
    await writer.comment(`the job is still running; GET /v1/images/jobs/${jobId}`);
    await writer.end();
    return;
  }
  const { job } = followed;
  if (job.status === 'succeeded' && job.images_expired_at !== null) {
    // A replay after the retention sweep: the images are gone, as their URLs say (410).
    await writer.event('error', {
      type: 'error',
      error: {
        message: "This job's images were deleted after the retention period.",
        type: 'invalid_request_error',
        param: null,
        code: 'image_expired',
      },
    });
  } else if (job.status === 'succeeded') {
    const result = job.result;
    for (const image of job.images ?? []) {
      if (sentKeys.has(image.key)) continue;
      await completed(image.key, {
        size: result?.size ?? requested.size,
        quality: result?.quality ?? requested.quality,
        background: result?.background ?? requested.background,
        output_format: result?.output_format ?? requested.output_format,
        ...(result?.usage === undefined ? {} : { usage: result.usage }),
      });
    }
  } else {
    await writer.event('error', { type: 'error', error: job.error });
  }
  await writer.end();
}

const now = () => Math.floor(Date.now() / 1000);
