import type { StoredImage } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';
import { imagesResponseHead } from '@imagegate/resources';
import type { ObjectStore } from '@imagegate/storage';
import { assistantText } from '../submission/accept-chat.ts';

/** The `chat.completion` id of a job: one per job, so a replay answers with the same one. */
export const chatCompletionId = (jobId: string): string => `chatcmpl-${jobId}`;

/** OpenAI's chat usage from the upstream's image usage (OpenAI's names), where it reported one. */
export function chatUsageOf(
  job: JobRow,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined {
  const usage = job.result?.usage;
  if (usage?.input_tokens === undefined && usage?.output_tokens === undefined) return undefined;
  const prompt = usage.input_tokens ?? 0;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
  };
}

/** One image as a chat message carries it: our presigned URL, or the bytes as a `data:` URL. */
export async function chatImageUrl(
  job: JobRow,
  image: StoredImage,
  options: { store: ObjectStore; imageUrlTtlS: number },
): Promise<string> {
  if (job.response_format === 'url') return options.store.presignGet(image.key, options.imageUrlTtlS);
  const { stream } = await options.store.getObjectStream(image.key);
  const chunks: Buffer[] = await stream.toArray();
  return `data:${image.content_type};base64,${Buffer.concat(chunks).toString('base64')}`;
}

/**
 * A succeeded chat job as OpenAI's `chat.completion`: one assistant message with a short text and
 * the images (OpenRouter's and Vercel's `message.images`), usage where the upstream reported it,
 * and `extra` as on the images endpoint (job id, billing, routing, warnings).
 */
export async function chatCompletionBody(
  job: JobRow,
  options: { store: ObjectStore; imageUrlTtlS: number },
): Promise<Record<string, unknown>> {
  const images = job.images ?? [];
  const urls = await Promise.all(images.map((image) => chatImageUrl(job, image, options)));
  const usage = chatUsageOf(job);
  return {
    id: chatCompletionId(job.id),
    object: 'chat.completion',
    created: Math.floor(job.created_at.getTime() / 1000),
    model: job.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: job.result?.text || assistantText(images.length),
          images: urls.map((url) => ({ type: 'image_url', image_url: { url } })),
        },
        finish_reason: 'stop',
      },
    ],
    ...(usage === undefined ? {} : { usage }),
    extra: imagesResponseHead(job).extra,
  };
}
