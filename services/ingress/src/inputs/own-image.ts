import type { Readable } from 'node:stream';
import { findJob, type Pool } from '@imagegate/db';
import type { ObjectStore } from '@imagegate/storage';

/**
 * Reads an image URL we gave out (a presigned or signed URL of our own store, unchanged and
 * unexpired) straight from the store, when it names an object of one of the caller's own jobs; else
 * undefined, and the URL is fetched like any other (through the SSRF guard, which refuses our
 * private store). A chat turn sending back an earlier answer's image takes this path.
 */
export function ownImageReader(
  deps: { store: ObjectStore; pool: Pool },
  accountId: string,
): (url: string) => Promise<Readable | undefined> {
  return async (url) => {
    const key = deps.store.keyOfSignedUrl(url);
    const jobId = key === undefined ? undefined : /^jobs\/([^/]+)\//.exec(key)?.[1];
    if (key === undefined || jobId === undefined) return undefined;
    const job = await findJob(deps.pool, jobId);
    if (job === undefined || job.account_id !== accountId) return undefined;
    return (await deps.store.getObjectStream(key)).stream;
  };
}
