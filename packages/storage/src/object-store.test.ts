import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from './object-not-found-error.ts';
import { createObjectStore, type ObjectStore } from './object-store.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('createObjectStore against s3rver', () => {
  let dir: string;
  let server: S3rver;
  let store: ObjectStore;
  let endpoint: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imagegate-storage-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, vhostBuckets: false });
    const { port } = (await server.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${port}`;
    store = createObjectStore({
      endpoint,
      region: 'us-east-1',
      bucket: `test-${randomBytes(4).toString('hex')}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
  });

  afterAll(async () => {
    await store?.deleteBucket();
    store?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ensureBucket is idempotent', async () => {
    await store.ensureBucket();
    await store.ensureBucket();
    await Promise.all([store.ensureBucket(), store.ensureBucket()]);
  });

  it('round-trips a few MB byte for byte', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    await store.putObject('round trip/ünï 1.png', body, { contentType: 'image/png' });
    const got = await store.getObjectStream('round trip/ünï 1.png');
    expect(got.contentLength).toBe(body.byteLength);
    expect(got.contentType).toBe('image/png');
    expect((await readAll(got.stream)).equals(body)).toBe(true);
  });

  it('lists keys under a prefix and deletes some of them', async () => {
    for (const key of ['list/a/1.png', 'list/a/2.png', 'list/b/1.png']) {
      await store.putObject(key, Buffer.from(key), { contentType: 'image/png' });
    }
    expect((await store.listKeys('list/a/')).sort()).toEqual(['list/a/1.png', 'list/a/2.png']);
    await store.deleteObjects(['list/a/1.png', 'list/a/missing.png']);
    await store.deleteObjects([]);
    expect(await store.listKeys('list/')).toEqual(['list/a/2.png', 'list/b/1.png']);
  });

  it('uploads streams with and without a known length', async () => {
    const body = randomBytes(256 * 1024);
    await store.putObject('stream/known.webp', Readable.from([body.subarray(0, 1000), body.subarray(1000)]), {
      contentType: 'image/webp',
      contentLength: body.byteLength,
    });
    await store.putObject('stream/unknown.webp', Readable.from([body]), { contentType: 'image/webp' });
    for (const key of ['stream/known.webp', 'stream/unknown.webp']) {
      const got = await store.getObjectStream(key);
      expect((await readAll(got.stream)).equals(body)).toBe(true);
    }
  });

  it('serves presigned URLs to plain fetch and refuses them once expired', async () => {
    const body = randomBytes(64 * 1024);
    const key = 'presigned/a b ü+(1).jpeg';
    await store.putObject(key, body, { contentType: 'image/jpeg' });

    const url = store.presignGet(key, 60);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await ok.arrayBuffer()).equals(body)).toBe(true);

    const shortLived = store.presignGet(key, 1);
    await sleep(2_100);
    const expired = await fetch(shortLived);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/i);
  });

  it('reports a missing key as ObjectNotFoundError', async () => {
    const err = await store.getObjectStream('does/not/exist.png').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectNotFoundError);
    expect(err).toMatchObject({ code: 'OBJECT_NOT_FOUND', key: 'does/not/exist.png', bucket: store.bucket });
    expect(String(err)).toContain(`s3://${store.bucket}/does/not/exist.png`);
  });

  it('destroys the body stream when the signal aborts', async () => {
    await store.putObject('abort.bin', randomBytes(4 * 1024 * 1024), { contentType: 'application/octet-stream' });
    const controller = new AbortController();
    const got = await store.getObjectStream('abort.bin', { signal: controller.signal });
    controller.abort();
    await expect(readAll(got.stream)).rejects.toThrow();
    expect(got.stream.destroyed).toBe(true);
  });

  it('deleteBucket empties and removes the bucket, and tolerates a missing one', async () => {
    const other = createObjectStore({
      endpoint,
      region: 'us-east-1',
      bucket: 'to-delete',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
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
