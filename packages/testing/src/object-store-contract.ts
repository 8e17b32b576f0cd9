import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectStore, RangeNotSatisfiableError } from '@imagegate/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A backend under test: its store, how its URLs can be changed, and how to clean up. */
export interface ObjectStoreUnderTest {
  store: ObjectStore;
  /** Changes one character of the URL's signature. */
  changeSignature(url: string): string;
  /** `url` with its key replaced by `otherUrl`'s key (both signed alike), its signature kept. */
  changeKey(url: string, otherUrl: string): string;
  /** `url` with a later expiry, its signature kept. */
  changeExpiry(url: string): string;
  close(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * What every object store must do, the same for S3 and the local filesystem: put, stream, read a
 * range, list, delete, and hand out signed URLs that serve the object, refuse any change to key,
 * expiry or signature, and stop once expired.
 */
export function describeObjectStoreContract(name: string, open: () => Promise<ObjectStoreUnderTest>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let backend: ObjectStoreUnderTest;
    let store: ObjectStore;

    beforeAll(async () => {
      backend = await open();
      store = backend.store;
      await store.ensureBucket();
      await store.ensureBucket();
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('round-trips a few MB byte for byte, with its content type', async () => {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      await store.putObject('round trip/ünï 1.png', body, { contentType: 'image/png' });
      const got = await store.getObjectStream('round trip/ünï 1.png');
      expect([got.contentLength, got.size, got.contentType]).toEqual([body.byteLength, body.byteLength, 'image/png']);
      expect((await readAll(got.stream)).equals(body)).toBe(true);
    });

    it('reads an object in chunks, through a scratch buffer it may reuse', async () => {
      const body = randomBytes(300 * 1024 + 5);
      await store.putObject('chunks/a.png', body, { contentType: 'image/png' });
      const copies: Buffer[] = [];
      // Each chunk is copied before the next is asked for, as a reader must.
      for await (const chunk of await store.openChunks('chunks/a.png', Buffer.alloc(64 * 1024))) {
        copies.push(Buffer.from(chunk));
      }
      expect(Buffer.concat(copies).equals(body)).toBe(true);
      await expect(store.openChunks('chunks/missing.png', Buffer.alloc(1024))).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
    });

    it('overwrites an object', async () => {
      await store.putObject('over/write.webp', Buffer.from('first'), { contentType: 'image/webp' });
      await store.putObject('over/write.webp', Buffer.from('second!'), { contentType: 'image/webp' });
      expect((await readAll((await store.getObjectStream('over/write.webp')).stream)).toString()).toBe('second!');
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

    // Suffix ranges (`bytes=-10`) are not here: s3rver reads them as `0-10` (S3 does not); the
    // local store's own test covers them.
    it('reads a range: both ends, an open end, an end past the object', async () => {
      const body = randomBytes(10_000);
      await store.putObject('range/r.bin', body, { contentType: 'application/octet-stream' });
      const cases = [
        [{ start: 100, end: 199 }, 100, 199],
        [{ start: 9_990 }, 9_990, 9_999],
        [{ start: 9_000, end: 20_000 }, 9_000, 9_999],
      ] as const;
      for (const [range, start, end] of cases) {
        const got = await store.getObjectStream('range/r.bin', { range });
        expect({ range: got.range, length: got.contentLength, size: got.size }).toEqual({
          range: { start, end },
          length: end - start + 1,
          size: body.byteLength,
        });
        expect((await readAll(got.stream)).equals(body.subarray(start, end + 1))).toBe(true);
      }
      await expect(store.getObjectStream('range/r.bin', { range: { start: 10_000 } })).rejects.toBeInstanceOf(
        RangeNotSatisfiableError,
      );
    });

    it('lists keys under a prefix in byte order and deletes some of them', async () => {
      for (const key of ['list/b/1.png', 'list/a/2.png', 'list/a/1.png', 'list/ab.png', 'lists/x.png']) {
        await store.putObject(key, Buffer.from(key), { contentType: 'image/png' });
      }
      expect(await store.listKeys('list/a/')).toEqual(['list/a/1.png', 'list/a/2.png']);
      expect(await store.listKeys('list/a')).toEqual(['list/a/1.png', 'list/a/2.png', 'list/ab.png']);
      await store.deleteObjects(['list/a/1.png', 'list/a/missing.png', 'nothing/here.png']);
      await store.deleteObjects([]);
      expect(await store.listKeys('list/')).toEqual(['list/a/2.png', 'list/ab.png', 'list/b/1.png']);
      await store.deleteObjects(['list/a/2.png']);
      expect(await store.listKeys('list/a/')).toEqual([]);
      await expect(store.getObjectStream('list/a/2.png')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('reports a missing key as ObjectNotFoundError', async () => {
      const err = await store.getObjectStream('does/not/exist.png').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectNotFoundError);
      expect(err).toMatchObject({ code: 'OBJECT_NOT_FOUND', key: 'does/not/exist.png' });
    });

    it('destroys the body stream when the signal aborts', async () => {
      await store.putObject('abort.bin', randomBytes(4 * 1024 * 1024), { contentType: 'application/octet-stream' });
      const controller = new AbortController();
      const got = await store.getObjectStream('abort.bin', { signal: controller.signal });
      controller.abort();
      await expect(readAll(got.stream)).rejects.toThrow();
      expect(got.stream.destroyed).toBe(true);
    });

    describe('signed URLs', () => {
      const body = randomBytes(64 * 1024);
      const key = 'jobs/job_a/0 (1)+ü.jpeg';
      const otherKey = 'jobs/job_b/0 (1)+ü.jpeg';

      beforeAll(async () => {
        await store.putObject(key, body, { contentType: 'image/jpeg' });
        await store.putObject(otherKey, randomBytes(1024), { contentType: 'image/jpeg' });
      });

      it('serve the object to plain fetch', async () => {
        const response = await fetch(store.presignGet(key, 60));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('image/jpeg');
        expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
      });

      it('are refused when the signature, the key or the expiry changed', async () => {
        const now = new Date();
        const url = store.presignGet(key, 60, now);
        const other = store.presignGet(otherKey, 60, now);
        const changed = {
          signature: backend.changeSignature(url),
          key: backend.changeKey(url, other),
          expiry: backend.changeExpiry(url),
        };
        for (const [what, tampered] of Object.entries(changed)) {
          expect(tampered, what).not.toBe(url);
          expect((await fetch(tampered)).status, what).toBe(403);
        }
        expect((await fetch(url)).status).toBe(200);
      });

      it('are recognised as ours (keyOfSignedUrl) only unchanged and unexpired', () => {
        const now = new Date();
        const url = store.presignGet(key, 60, now);
        expect(store.keyOfSignedUrl(url, now)).toBe(key);
        expect(store.keyOfSignedUrl(backend.changeSignature(url), now)).toBeUndefined();
        expect(store.keyOfSignedUrl(backend.changeKey(url, store.presignGet(otherKey, 60, now)), now)).toBeUndefined();
        expect(store.keyOfSignedUrl(backend.changeExpiry(url), now)).toBeUndefined();
        expect(store.keyOfSignedUrl(url, new Date(now.getTime() + 120_000))).toBeUndefined();
        expect(store.keyOfSignedUrl('https://example.com/jobs/job_a/0.png', now)).toBeUndefined();
      });

      it('are refused once expired', async () => {
        const expired = store.presignGet(key, 60, new Date(Date.now() - 120_000));
        const response = await fetch(expired);
        expect(response.status).toBe(403);
        expect(await response.text()).toMatch(/expired/i);
      });
    });
  });
}
