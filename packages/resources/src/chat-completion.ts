import type { ChatCompletionBody, ImagesResponseBody } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';

/** The assistant's words beside its images when the model says nothing itself (image-only models). */
export function assistantText(images: number): string {
  return images === 1 ? 'Here is the image.' : `Here are the ${images} images.`;
}

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

/**
 * A succeeded chat job as OpenAI's `chat.completion`, given its images' URLs (presigned, or
 * `data:` URLs): one assistant message with the model's text (or a short one) and the images
 * (OpenRouter's and Vercel's `message.images`), usage where the upstream reported it, and `extra`
 * (`imagesResponseHead(job).extra`: job id, billing, routing, warnings). The job resource shows it
 * as `result`, with presigned URLs.
 */
export function chatCompletionOf(
  job: JobRow,
  imageUrls: readonly string[],
  extra: ImagesResponseBody['extra'],
): ChatCompletionBody {
  const usage = chatUsageOf(job);
  return {
    id: chatCompletionId(job.id),
    object: 'chat.completion' as const,
    created: Math.floor(job.created_at.getTime() / 1000),
    model: job.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: job.result?.text || assistantText(imageUrls.length),
          images: imageUrls.map((url) => ({ type: 'image_url' as const, image_url: { url } })),
        },
        finish_reason: 'stop' as const,
      },
    ],
    ...(usage === undefined ? {} : { usage }),
    extra,
  };
}
