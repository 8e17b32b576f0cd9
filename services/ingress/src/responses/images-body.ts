import type { JobRow } from '@imagegate/db';
import { imagesResponseHead, presignedImages } from '@imagegate/resources';
import type { ObjectStore } from '@imagegate/storage';
import type { Response } from 'express';
import { Base64BodyWriter } from './base64-body-writer.ts';

/** Writes a 200 images body for a succeeded job, in the job's response format; `warnings` join `extra.warnings`. */
export async function sendImagesResponse(
  response: Response,
  job: JobRow,
  options: { store: ObjectStore; imageUrlTtlS: number; warnings?: readonly string[] },
): Promise<void> {
  const head = imagesResponseHead(job, options.warnings);
  if (job.response_format === 'url') {
    const { created, ...rest } = head;
    response.status(200).json({ created, data: presignedImages(job, options.store, options.imageUrlTtlS), ...rest });
    return;
  }
  await streamBase64Body(response, job, head, options.store);
}

/**
 * A `b64_json` body is streamed: the envelope, then each image read from the store and
 * base64-encoded as it arrives (`Base64BodyWriter`), then the rest. One `JSON.stringify` of an
 * 8 MiB image would block the event loop for ~18 ms and hold ~5x the image in memory; reading
 * through one scratch buffer and writing through two reused ones allocates next to nothing per
 * image on the local store.
 */
async function streamBase64Body(
  response: Response,
  job: JobRow,
  head: ReturnType<typeof imagesResponseHead>,
  store: ObjectStore,
): Promise<void> {
  const images = job.images ?? [];
  const { created, ...rest } = head;
  const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  // Open the first image before committing to a 200, so a missing object is still a clean error.
  let next = images[0] ? await store.openChunks(images[0].key, scratch) : undefined;
  response.status(200).setHeader('content-type', 'application/json; charset=utf-8');
  await write(response, `{"created":${JSON.stringify(created)},"data":[`);
  const writer = new Base64BodyWriter(response);
  for (let index = 0; index < images.length; index++) {
    const current = next;
    if (current === undefined) break;
    await write(response, `${index > 0 ? ',' : ''}{"b64_json":"`);
    // Each chunk is encoded (copied out) before the next is read into the same scratch buffer.
    for await (const chunk of current) await writer.push(chunk);
    await writer.end();
    await write(response, '"}');
    const following = images[index + 1];
    next = following ? await store.openChunks(following.key, scratch) : undefined;
  }
  response.end(`],${JSON.stringify(rest).slice(1)}`);
}

/** One read of the stored image: 64 KiB, the size of a file stream's own chunks. */
const SCRATCH_BYTES = 64 * 1024;

/** Writes and honours backpressure; throws when the client has gone. */
async function write(response: Response, text: string): Promise<void> {
  if (response.destroyed) throw new Error('client disconnected');
  if (!response.write(text)) await drained(response);
}

/**
 * Resolves on 'drain', rejects on 'close', and removes both listeners either way: an 8 MiB body
 * waits thousands of times, so no listener may be left behind and no AbortError built per wait.
 */
function drained(response: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      response.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      response.off('drain', onDrain);
      reject(new Error('client disconnected'));
    };
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}
