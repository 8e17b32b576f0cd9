import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeObjectStoreContract, type S3rverHandle, startS3rver } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from './object-not-found-error.ts';
import { createObjectStore, type ObjectStore } from './object-store.ts';

/** Flips the last character of a query parameter's value. */
function flipLast(url: string, parameter: string): string {
  const parsed = new URL(url);
  const value = parsed.searchParams.get(parameter) ?? '';
  parsed.searchParams.set(parameter, `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`);
  return parsed.toString();
}

describeObjectStoreContract('S3 (s3rver, presigned GETs checked as S3 checks them)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imagegate-storage-'));
  const s3 = await startS3rver({ dataDir: dir });
  const store = createObjectStore({ ...s3, bucket: `test-${randomBytes(4).toString('hex')}` });
  return {
    store,
    changeSignature: (url) => flipLast(url, 'X-Amz-Signature'),
    changeKey(url, otherUrl) {
      const parsed = new URL(url);
      parsed.pathname = new URL(otherUrl).pathname;
      return parsed.toString();
    },
    changeExpiry(url) {
      const parsed = new URL(url);
      parsed.searchParams.set('X-Amz-Expires', String(Number(parsed.searchParams.get('X-Amz-Expires')) + 60));
      return parsed.toString();
    },
    async close() {
      await store.deleteBucket();
      store.close();
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('createObjectStore against s3rver', () => {
  let dir: string;
  let s3: S3rverHandle;
  let store: ObjectStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imagegate-storage-'));
    s3 = await startS3rver({ dataDir: dir });
    store = createObjectStore({ ...s3, bucket: `test-${randomBytes(4).toString('hex')}` });
  });

  afterAll(async () => {
    await store?.deleteBucket();
    store?.close();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ensureBucket is idempotent, also concurrently', async () => {
    await store.ensureBucket();
    await Promise.all([store.ensureBucket(), store.ensureBucket()]);
    expect(store.kind).toBe('s3');
  });

  it('names the bucket and key of a missing object', async () => {
    const err = await store.getObjectStream('does/not/exist.png').catch((e: unknown) => e);
    expect(err).toMatchObject({ bucket: store.bucket, key: 'does/not/exist.png' });
    expect(String(err)).toContain(`s3://${store.bucket}/does/not/exist.png`);
  });

  it('deleteBucket empties and removes the bucket, and tolerates a missing one', async () => {
    const other = createObjectStore({ ...s3, bucket: 'to-delete' });
    await other.ensureBucket();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => other.putObject(`k/${i}`, Buffer.from([i]), { contentType: 'text/plain' })),
    );
    await other.deleteBucket();
    await other.deleteBucket();
    await expect(other.getObjectStream('k/1')).rejects.toBeInstanceOf(ObjectNotFoundError);
    other.close();
  });
});

describe('applyRetention on S3', () => {
  // s3rver has no lifecycle API: a stand-in bucket that already holds an operator's rule records
  // what the store sends (S3 replaces the whole configuration on PUT, so other rules must be kept).
  let server: Server;
  let put = '';
  const existing =
    '<LifecycleConfiguration><Rule><ID>operator-logs</ID><Filter><Prefix>logs/</Prefix></Filter>' +
    '<Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method === 'PUT') put = Buffer.concat(chunks).toString();
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(request.method === 'GET' ? existing : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('adds an expiration rule for jobs/ and keeps the bucket’s other rules', async () => {
    const store = createObjectStore({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      bucket: 'images',
      accessKeyId: 'a',
      secretAccessKey: 'b',
    });
    await store.applyRetention(31);
    store.close();
    expect(put).toContain('<ID>operator-logs</ID>');
    expect(put).toContain(
      '<Rule><Status>Enabled</Status><Expiration><Days>31</Days></Expiration><ID>imagegate-retention</ID>' +
        '<Filter><Prefix>jobs/</Prefix></Filter></Rule>',
    );
  });
});
