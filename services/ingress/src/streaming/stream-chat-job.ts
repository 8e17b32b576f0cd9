import type { JobRow } from '@imagegate/db';
import { assistantText, chatCompletionId, chatUsageOf } from '@imagegate/resources';
import type { Response } from 'express';
import type { Acceptance, SubmissionDeps } from '../submission/accept-job.ts';
import { followJob } from './follow-job.ts';
import { SseWriter } from './sse-writer.ts';

/**
 * Answers a chat job as OpenAI's `chat.completion.chunk` stream: the role first, each image as a
 * `delta.images` chunk as soon as the worker stored it (its bytes streamed from the object store
 * into a `data:` URL, or our presigned URL), the assistant's short text, a chunk with
 * `finish_reason`, a usage chunk when asked (`stream_options.include_usage`), then `data: [DONE]`.
 * An error after the stream began is a chunk `{"error": {…}}` and the end. A client that leaves
 * does not stop the job.
 */
export async function streamChatJob(
  deps: SubmissionDeps,
  response: Response,
  acceptance: Exclude<Acceptance, { kind: 'client_gone' }>,
): Promise<void> {
  const { job: accepted } = acceptance;
  const id = chatCompletionId(accepted.id);
  const writer = new SseWriter(response, { 'x-imagegate-job-id': accepted.id }, deps.settings.sseKeepAliveMs);
  const created = Math.floor(accepted.created_at.getTime() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: accepted.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const sentKeys = new Set<string>();
  const image = (key: string, contentType: string) => {
    sentKeys.add(key);
    if (accepted.response_format === 'url') {
      const url = deps.store.presignGet(key, deps.settings.imageUrlTtlS);
      return writer.data(chunk({ images: [{ type: 'image_url', image_url: { url } }] }));
    }
    // The chunk's JSON around a placeholder URL, split there: the data: URL is streamed in between.
    const [head, tail] = JSON.stringify(chunk({ images: [{ type: 'image_url', image_url: { url: '\u0000' } }] })).split(
      '\\u0000',
    );
    return writer.dataWithBase64({
      head: `${head}data:${contentType};base64,`,
      tail: tail ?? '',
      open: async () => (await deps.store.getObjectStream(key)).stream,
    });
  };

  await writer.data(chunk({ role: 'assistant', content: '' }));
  let textSent = false;
  const followed = await followJob(deps, response, acceptance, (event) => {
    if (event.kind === 'text') {
      textSent = true;
      return writer.data(chunk({ content: event.delta }));
    }
    return event.kind === 'image' && !sentKeys.has(event.key) ? image(event.key, event.content_type) : undefined;
  });
  if (followed.kind === 'left') return;
  if (followed.kind === 'running') {
    await writer.comment(`the job is still running; GET /v1/images/jobs/${accepted.id}`);
    await writer.end();
    return;
  }
  const { job } = followed;
  if (job.status !== 'succeeded') {
    await writer.data({ error: job.error });
    await writer.end();
    return;
  }
  for (const stored of job.images ?? []) {
    if (!sentKeys.has(stored.key)) await image(stored.key, stored.content_type);
  }
  await finish(writer, job, chunk, textSent);
}

async function finish(
  writer: SseWriter,
  job: JobRow,
  chunk: (delta: Record<string, unknown>, finishReason?: string | null) => Record<string, unknown>,
  textSent: boolean,
): Promise<void> {
  // The model's own words went out as they came; an image-only model's short text goes now.
  if (!textSent) await writer.data(chunk({ content: job.result?.text || assistantText(job.images?.length ?? 0) }));
  await writer.data(chunk({}, 'stop'));
  const usage = chatUsageOf(job);
  if (job.operation === 'chat' && job.request.include_usage === true) {
    const { choices: _choices, ...head } = chunk({});
    await writer.data({
      ...head,
      choices: [],
      usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  }
  await writer.done();
  await writer.end();
}
