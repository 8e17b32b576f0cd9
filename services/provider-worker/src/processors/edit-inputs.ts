import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EditJobRequest, InputImage } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import type { ProviderEditInputs, ProviderInputImage } from '@imagegate/providers';
import { ObjectNotFoundError, type ObjectStore } from '@imagegate/storage';

/** An edit's inputs ready for the adapter, and the spool files behind them to remove after the call. */
export interface SpooledEditInputs {
  inputs: ProviderEditInputs;
  release(): Promise<void>;
}

/**
 * An edit's inputs, read back from the object store where the ingress stored them under the job,
 * into spool files the adapter reads as Blobs: a multipart upstream (OpenAI) streams them from disk,
 * so an in-flight edit does not hold its inputs in memory. Each attempt reads them again (a
 * redelivered job has them still); one that is gone (deleted by retention) fails the job, since
 * no retry or fallback can bring it back.
 */
export async function readEditInputs(
  store: Pick<ObjectStore, 'getObjectStream'>,
  request: Pick<EditJobRequest, 'images' | 'mask'>,
  signal: AbortSignal,
): Promise<SpooledEditInputs> {
  const dir = await mkdtemp(join(tmpdir(), 'imagegate-inputs-'));
  const release = () => rm(dir, { recursive: true, force: true });
  const read = async (image: InputImage, name: string, param: string): Promise<ProviderInputImage> => {
    const path = join(dir, name);
    try {
      const { stream } = await store.getObjectStream(image.key, { signal });
      await pipeline(stream, createWriteStream(path), { signal });
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
      throw new InvalidRequestError(`The input ${param} is no longer stored; send the edit again.`, {
        param,
        code: 'not_found',
        cause: error,
      });
    }
    return {
      data: await openAsBlob(path, { type: image.content_type }),
      mediaType: image.content_type,
      width: image.width,
      height: image.height,
    };
  };
  try {
    const images = await Promise.all(request.images.map((image, index) => read(image, `${index}`, `image[${index}]`)));
    const inputs: ProviderEditInputs =
      request.mask === undefined ? { images } : { images, mask: await read(request.mask, 'mask', 'mask') };
    return { inputs, release };
  } catch (error) {
    await release();
    throw error;
  }
}
