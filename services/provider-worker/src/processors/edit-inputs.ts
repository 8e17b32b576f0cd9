import type { EditJobRequest, InputImage } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import type { ProviderEditInputs, ProviderInputImage } from '@imagegate/providers';
import { ObjectNotFoundError, type ObjectStore } from '@imagegate/storage';

/**
 * An edit's inputs, read back from the object store where the ingress stored them under the job.
 * Each attempt reads them again (a redelivered job has them still); one that is gone (deleted by
 * retention) fails the job, since no retry or fallback can bring it back.
 */
export async function readEditInputs(
  store: Pick<ObjectStore, 'getObjectStream'>,
  request: Pick<EditJobRequest, 'images' | 'mask'>,
  signal: AbortSignal,
): Promise<ProviderEditInputs> {
  const read = async (image: InputImage, param: string): Promise<ProviderInputImage> => {
    try {
      const { stream } = await store.getObjectStream(image.key, { signal });
      const chunks: Buffer[] = await stream.toArray();
      return {
        bytes: Buffer.concat(chunks),
        mediaType: image.content_type,
        width: image.width,
        height: image.height,
      };
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
      throw new InvalidRequestError(`The input ${param} is no longer stored; send the edit again.`, {
        param,
        code: 'not_found',
        cause: error,
      });
    }
  };
  const images = await Promise.all(request.images.map((image, index) => read(image, `image[${index}]`)));
  return request.mask === undefined ? { images } : { images, mask: await read(request.mask, 'mask') };
}
