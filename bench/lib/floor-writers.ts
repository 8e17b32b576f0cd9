/**
 * The store write of the *floor* (docs/benchmarks.md): what a plain Node client spends keeping an
 * image of the same size in the same store, with nothing of imagegate's own code in the way.
 */
import { randomBytes } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { type Agent, request } from 'node:http';
import { join } from 'node:path';

/** Writes one image under a fresh name; rejects when the store did not keep it. */
export type FloorWriter = (image: Buffer) => Promise<void>;

/**
 * One PUT to the S3 stand-in with node:http. The stand-in checks no signature, so the floor signs
 * nothing: a real client's SigV4 over an unsigned payload is a few HMACs.
 */
export function s3PutWriter(agent: Agent, bucket: { endpoint: string; name: string }): FloorWriter {
  const prefix = `${bucket.endpoint}/${bucket.name}/floor/${randomBytes(4).toString('hex')}`;
  let written = 0;
  return (image) =>
    new Promise((resolve, reject) => {
      const call = request(
        new URL(`${prefix}-${written++}.png`),
        {
          agent,
          method: 'PUT',
          headers: { 'content-type': 'image/png', 'content-length': String(image.length) },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200 ? resolve() : reject(new Error(`PUT answered ${response.statusCode}`)),
          );
          response.on('error', reject);
        },
      );
      call.on('error', reject);
      call.end(image);
    });
}

/**
 * A durable file write into `directory`, as any store that keeps images on disk must do before it
 * answers: the bytes to a temporary file, flushed to the disk, renamed into place.
 */
export function fileWriter(directory: string): FloorWriter {
  const prefix = join(directory, randomBytes(4).toString('hex'));
  let written = 0;
  return async (image) => {
    const path = `${prefix}-${written++}.png`;
    const handle = await open(`${path}.tmp`, 'w');
    try {
      await handle.writeFile(image);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${path}.tmp`, path);
  };
}
