import type { ChatCompletionBody, StoredImage } from '@imagegate/contracts';
import type { JobRow } from '@imagegate/db';
import { chatCompletionOf, imagesResponseHead } from '@imagegate/resources';
import type { ObjectStore } from '@imagegate/storage';

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
 * The 200 body of a succeeded chat job: its chat completion, images as `data:` URLs (or ours with
 * `response_format: url`); `warnings` join `extra.warnings`.
 */
export async function chatCompletionBody(
  job: JobRow,
  options: { store: ObjectStore; imageUrlTtlS: number; warnings?: readonly string[] },
): Promise<ChatCompletionBody> {
  const urls = await Promise.all((job.images ?? []).map((image) => chatImageUrl(job, image, options)));
  return chatCompletionOf(job, urls, imagesResponseHead(job, options.warnings).extra);
}
