import { randomBytes } from 'node:crypto';
import { createObjectStore, type ObjectStore } from '@imagegate/storage';
import { testServices } from './provided.ts';

/** An object store on a bucket of its own; `deleteBucket()` cleans up. */
export async function createTestBucket(): Promise<ObjectStore> {
  const { s3 } = testServices();
  const store = createObjectStore({
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    bucket: `igtest-${randomBytes(5).toString('hex')}`,
  });
  await store.ensureBucket();
  return store;
}
